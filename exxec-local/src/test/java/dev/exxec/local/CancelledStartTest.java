package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Command;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call cancelled while its process is still starting (an MCP client's cancellation, a closing
 * session) leaves nothing running: the start goes on, and what it made is killed with everything it
 * started. Found by issue 14's second hostile review, where 1 to 4 calls in 10 cancelled within 20 ms
 * of their start left their process running after the server exited, whole sandboxes included.
 */
class CancelledStartTest {
    @Test
    @Timeout(120)
    void aCallCancelledWhileStartingLeavesNothingOnLocal() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            cancelAroundTheStart(env);
        }
    }

    @Test
    @Timeout(120)
    void aCallCancelledWhileStartingLeavesNothingInTheSandbox() throws Exception {
        Requirements.require(
                Bubblewrap.probe().works(),
                "bubblewrap does not work here: " + Bubblewrap.probe().problem());
        try (ExecutionEnvironment env = Exxec.environment("sandbox", Map.of())) {
            cancelAroundTheStart(env);
        }
    }

    /** Cancels 40 calls at moments from 0 to 30 ms after they were made, then looks for survivors. */
    private static void cancelAroundTheStart(ExecutionEnvironment env) throws Exception {
        env.executeCommand(Command.of("true")); // warm: the first start costs more
        String tag = Long.toString(3000 + ThreadLocalRandom.current().nextInt(6000));
        for (int i = 0; i < 40; i++) {
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    env.executeCommand(
                            Command.of("sleep " + tag + " & sleep " + tag).withTimeout(Duration.ofSeconds(60)));
                } catch (RuntimeException e) {
                    // cancelled: what the test wants
                }
            });
            long delayMicros = (i % 16) * 2_000L;
            if (delayMicros > 0) {
                Thread.sleep(Duration.ofNanos(delayMicros * 1_000));
            }
            caller.interrupt();
            assertThat(caller.join(Duration.ofSeconds(10)))
                    .as("the cancelled call returned")
                    .isTrue();
        }
        // the kill of a start that was cancelled runs beside the caller: give it a moment
        List<Long> left = List.of();
        for (int wait = 0; wait < 30; wait++) {
            left = survivors("sleep " + tag);
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        for (long pid : left) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertThat(left).as("processes of cancelled calls still running").isEmpty();
    }

    private static List<Long> survivors(String commandLine) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ')
                            .trim();
                    if (cmd.equals(commandLine) || cmd.endsWith("-c " + commandLine + " & " + commandLine)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return pids;
    }
}
