package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.spi.ProcessTree;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the CLI's JVM (what Ctrl-C and {@code kill} do) leaves nothing running: exxec's shutdown
 * hook closes the environment, which kills the command's process tree.
 */
class ShutdownTest {

    @Test
    void sigtermKillsTheRunningCommand() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process cli = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "exec",
                        "--",
                        "sleep",
                        "100")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            ProcessHandle sleep = awaitSleep(cli);

            cli.destroy(); // SIGTERM

            assertThat(cli.waitFor(10, TimeUnit.SECONDS)).as("the CLI exits").isTrue();
            // Killed is enough: orphaned, the sleep is a zombie until the machine's first process
            // reaps it, which some (a container's or a microVM's init) do only now and then, and a
            // zombie is alive to ProcessHandle.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (ProcessTree.Stat.of(sleep.pid()) != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ProcessTree.Stat.of(sleep.pid()))
                    .as("sleep pid %d, 5 s after the CLI exited (null: ended)", sleep.pid())
                    .isNull();
        } finally {
            cli.descendants().forEach(ProcessHandle::destroyForcibly);
            cli.destroyForcibly();
        }
    }

    private static ProcessHandle awaitSleep(Process cli) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> found = cli.descendants()
                    .filter(p ->
                            p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                    .toList();
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Optional<Integer> exit = cli.isAlive() ? Optional.empty() : Optional.of(cli.exitValue());
            assertThat(exit).as("the CLI ended before sleep started").isEmpty();
            Thread.sleep(50);
        }
        throw new AssertionError("sleep did not start within 20 s");
    }
}
