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
    void existsSeesFilesDirectoriesAndDanglingLinks(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("missing"));
        assertThat(probe.exists(dir.toString())).isTrue();
        assertThat(probe.exists(file.toString())).isTrue();
        assertThat(probe.exists(link.toString())).isTrue();
        assertThat(probe.exists(dir.resolve("missing").toString())).isFalse();
    }
}
