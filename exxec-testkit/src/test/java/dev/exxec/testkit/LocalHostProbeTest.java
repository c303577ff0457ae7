package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalHostProbeTest {
    private final HostProbe probe = HostProbe.localHost();

    @Test
    void thisJvmIsAliveAndAnEndedProcessIsNot() throws Exception {
        assertThat(probe.isAlive(ProcessHandle.current().pid())).isTrue();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        await().atMost(Duration.ofSeconds(5)).until(() -> !probe.isAlive(p.pid()));
    }

    /**
     * A zombie has ended: a killed grandchild whose parent does not reap it stays a zombie, and the
     * kit must not report it as a leftover. Here the parent execs into a sleep that never waits.
     */
    @Test
    void aZombieIsNotAlive() throws IOException, InterruptedException {
        Path proc = Path.of("/proc/self");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc), "needs /proc");
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & echo $!; exec sleep 10").start();
        try {
            long child;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII))) {
                child = Long.parseLong(out.readLine().trim());
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> Files.readString(Path.of("/proc", Long.toString(child), "stat"))
                                .contains(") Z "));
            }
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive))
                    .as("ProcessHandle counts the zombie as alive, which is why the probe reads /proc")
                    .hasValue(true);
            assertThat(probe.isAlive(child)).isFalse();
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void aProcessOfThisNamespaceIsFoundByItsPid() throws Exception {
        String own = ownNamespace();
        assertThat(probe.isAlive(new ProcessRef(own, ProcessHandle.current().pid())))
                .isTrue();
        assertThat(probe.isAlive(ProcessRef.of(ProcessHandle.current().pid()))).isTrue();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        await().atMost(Duration.ofSeconds(5)).until(() -> !probe.isAlive(new ProcessRef(own, p.pid())));
    }

    /**
     * A process of another PID namespace is found by its number there, not by the host process that
     * has that number: in a bubblewrap sandbox, the shell is 2 and its sleep 3, which on the host are
     * (typically) kernel threads; when the sandbox ends, they end with it.
     */
    @Test
    void aProcessOfAnotherNamespaceIsFoundByItsNumberThere() throws Exception {
        ownNamespace();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/bwrap")), "needs bubblewrap in /usr/bin");
        Process sandbox = new ProcessBuilder(
                        "/usr/bin/bwrap",
                        "--unshare-user",
                        "--unshare-pid",
                        "--die-with-parent",
                        "--ro-bind",
                        "/",
                        "/",
                        "--proc",
                        "/proc",
                        "--dev",
                        "/dev",
                        "/bin/sh",
                        "-c",
                        Outcomes.SH_NS + "sleep 30 & echo pid:sleep=$ns:$!; echo pid:shell=$ns:$$; wait")
                .redirectErrorStream(true)
                .start();
        try {
            String out;
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8))) {
                out = lines.readLine() + "\n" + lines.readLine() + "\n";
            }
            var pids = Outcomes.pids(out);
            assertThat(pids).as(out).containsKeys("sleep", "shell");
            ProcessRef sleep = pids.get("sleep");
            assertThat(sleep.pidNamespace()).as(out).isNotNull().isNotEqualTo(ownNamespace());
            assertThat(probe.isAlive(sleep))
                    .as("%s while the sandbox runs", sleep)
                    .isTrue();
            assertThat(probe.isAlive(pids.get("shell"))).isTrue();
            assertThat(probe.isAlive(new ProcessRef(sleep.pidNamespace(), 999_999)))
                    .as("a number nothing has in the namespace")
                    .isFalse();
            sandbox.destroyForcibly();
            sandbox.waitFor();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> pids.values().stream().noneMatch(probe::isAlive));
        } finally {
            sandbox.destroyForcibly();
        }
    }

    private static String ownNamespace() throws IOException {
        Path link = Path.of("/proc/self/ns/pid");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isSymbolicLink(link), "needs /proc/self/ns/pid");
        return Files.readSymbolicLink(link).toString();
    }

    @Test
    void existsSeesFilesDirectoriesAndDanglingLinks(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("missing"));
        assertThat(probe.exists(dir.toString())).isTrue();
        assertThat(probe.exists(file.toString())).isTrue();
        assertThat(probe.exists(link.toString())).isTrue();
        assertThat(probe.exists(dir.resolve("missing").toString())).isFalse();
    }
}
