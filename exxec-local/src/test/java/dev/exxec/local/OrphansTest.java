package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.local.internal.LeftoverSweep;
import dev.exxec.spi.ProcessTree;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing a call on {@code local} started outlives its JVM killed with SIGKILL: not the processes in
 * the call's session, not (under a Python leader, a child subreaper) a daemon that left it, not the
 * zygote; whether the JVM's keeper ends them at once or the next start's sweep does. A process with
 * the same command line that this test started itself is never touched.
 */
@Tag("slow")
class OrphansTest {

    /** A child JVM ({@link OrphanChild}) with a private temporary directory, running one call. */
    private record Child(Process process, ProcessHandle jvm, Path tmp, String token, Process unrelated)
            implements AutoCloseable {
        static Child start(String mode, boolean keeper) throws Exception {
            return start(mode, keeper, false);
        }

        /** With {@code zombie}, the JVM's parent never reaps it: killed, it stays a zombie. */
        static Child start(String mode, boolean keeper, boolean zombie) throws Exception {
            String token = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            token = Long.toString(Long.parseLong(token.substring(0, 6), 16)); // digits: a valid sleep argument
            Path tmp = Files.createTempDirectory("orphans-test-");
            Path ready = tmp.resolve("ready");
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "-Djava.io.tmpdir=" + tmp,
                    "-Dexxec.keeper=" + keeper,
                    "-Dexxec.zygote=" + (mode.equals("zygote") ? "wait" : "true"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    OrphanChild.class.getName(),
                    mode,
                    token,
                    ready.toString()));
            if (zombie) {
                command.addAll(0, List.of("/bin/sh", "-c", "\"$@\" & exec sleep 60", "sh"));
            }
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(tmp.resolve("child.err").toFile())
                    .start();
            // The same command line, started here: no sweep may take it.
            Process unrelated = new ProcessBuilder("sleep", "4242." + token)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            ProcessHandle jvm = process.toHandle();
            if (zombie) {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> process.toHandle().children().findAny().isPresent());
                jvm = process.toHandle().children().findAny().orElseThrow();
            }
            Child child = new Child(process, jvm, tmp, token, unrelated);
            try {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .failFast("the child JVM ended", () -> !process.isAlive())
                        .until(() -> Files.exists(ready));
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> child.calls("4242.").size() == 1
                                && !child.calls("4243.").isEmpty());
            } catch (Throwable e) {
                String err = Files.readString(tmp.resolve("child.err"));
                child.close();
                throw new AssertionError("the call did not start: " + err, e);
            }
            return child;
        }

        /** The live {@code sleep PREFIX TOKEN} processes but this test's own. */
        List<Long> calls(String prefix) {
            List<Long> found = new ArrayList<>();
            for (long pid : pids()) {
                if (pid != unrelated.pid() && commandLine(pid).startsWith("sleep " + prefix + token)) {
                    found.add(pid);
                }
            }
            return found;
        }

        /** The live processes working in the child's temporary directory: the zygote and its children. */
        List<Long> workingInTmp() {
            List<Long> found = new ArrayList<>();
            for (long pid : pids()) {
                try {
                    if (Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"))
                            .startsWith(tmp)) {
                        found.add(pid);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours
                }
            }
            return found;
        }

        void killJvm() throws InterruptedException {
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            if (jvm.pid() == process.pid()) {
                process.waitFor();
            }
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly();
            for (long pid : java.util.stream.Stream.concat(calls("4242.").stream(), calls("4243.").stream())
                    .toList()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            unrelated.destroyForcibly();
            dev.exxec.local.internal.Interpreters.deleteTree(tmp);
        }
    }

    private static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : proc) {
                String name = p.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && !isZombie(p)) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return pids;
    }

    private static boolean isZombie(Path proc) {
        return ProcessTree.Stat.read(proc) == null; // a zombie, or gone
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Where the leader is a Python driver (a child subreaper), a daemon that left the session goes
     * too. Under a shell, Node.js or a terminal's shell it is orphaned to init at once, and nothing
     * ties it to the call any more (docs/security.md says so): it is left out of the assertions, and
     * killed by {@link Child#close}.
     */
    private static boolean catchesDaemons(String mode) {
        return mode.equals("python") || mode.equals("zygote");
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "zygote", "javascript", "command", "process", "terminal"})
    void theKeeperEndsADeadJvmsCallsAtOnce(String mode) throws Exception {
        try (Child child = Child.start(mode, true)) {
            child.killJvm();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        assertThat(child.calls("4242."))
                                .as("the call's session")
                                .isEmpty();
                        if (catchesDaemons(mode)) {
                            assertThat(child.calls("4243."))
                                    .as("the daemon that left it")
                                    .isEmpty();
                        }
                        assertThat(child.workingInTmp())
                                .as("the zygote, the leaders")
                                .isSubsetOf(catchesDaemons(mode) ? List.of() : child.calls("4243."));
                    });
            assertThat(child.unrelated().isAlive()).as("the test's own sleep").isTrue();
        }
    }

    /**
     * The keeper hears of the JVM's end as its descriptors are released, before it is a zombie; its
     * parent may take long to reap it (here: never, until the test ends). A zombie JVM is gone.
     */
    @org.junit.jupiter.api.Test
    void aKilledJvmThatIsNotReapedIsGoneToo() throws Exception {
        try (Child child = Child.start("python", true, true)) {
            child.killJvm();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        assertThat(child.calls("4242."))
                                .as("the call's session")
                                .isEmpty();
                        assertThat(child.calls("4243."))
                                .as("the daemon that left it")
                                .isEmpty();
                        assertThat(child.workingInTmp())
                                .as("the zygote, the leaders")
                                .isEmpty();
                    });
            assertThat(child.process().isAlive())
                    .as("the JVM's parent, which did not reap it")
                    .isTrue();
            assertThat(child.unrelated().isAlive()).as("the test's own sleep").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "zygote", "command"})
    void withoutItsKeeperTheNextStartSweepsThem(String mode) throws Exception {
        try (Child child = Child.start(mode, false)) {
            child.killJvm();
            if (!mode.equals("zygote")) { // a zygote ends its children at the end of its input
                Thread.sleep(500);
                assertThat(child.calls("4242.")).as("nothing ended them yet").isNotEmpty();
            }

            LeftoverSweep.sweep(child.tmp()); // what the next start of local runs

            assertThat(child.calls("4242.")).as("the call's session").isEmpty();
            if (catchesDaemons(mode)) {
                assertThat(child.calls("4243.")).as("the daemon that left it").isEmpty();
            }
            assertThat(child.workingInTmp())
                    .as("the zygote, the leaders")
                    .isSubsetOf(catchesDaemons(mode) ? List.of() : child.calls("4243."));
            assertThat(child.unrelated().isAlive()).as("the test's own sleep").isTrue();
            try (DirectoryStream<Path> left = Files.newDirectoryStream(child.tmp(), "exxec-*")) {
                assertThat(left).as("the dead JVM's directories").isEmpty();
            }
        }
    }
}
