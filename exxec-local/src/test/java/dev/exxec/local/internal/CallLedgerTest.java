package dev.exxec.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.spi.ProcessTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a dead JVM's record of calls kills, and what it never touches. */
class CallLedgerTest {

    private static long startTime(long pid) {
        ProcessTree.Stat stat = ProcessTree.Stat.of(pid);
        if (stat == null) {
            throw new AssertionError("process " + pid + " is gone");
        }
        return stat.startTime();
    }

    private static String bootId() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    }

    /** A session of its own: a shell leading it and a sleep in it. */
    private static Process session() throws Exception {
        Process p = new ProcessBuilder("setsid", "sh", "-c", "sleep 300 & wait")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> p.descendants().findAny().isPresent());
        return p;
    }

    @Test
    void theRecordedLeaderGoesWithItsSessionAndDescendants(@TempDir Path jvm) throws Exception {
        Process p = session();
        try {
            ProcessHandle sleep = p.descendants().findFirst().orElseThrow();
            Files.writeString(
                    jvm.resolve(CallLedger.FILE),
                    "exxec-calls/1 " + bootId() + "\n" + p.pid() + " " + startTime(p.pid()) + "\n");

            assertThat(CallLedger.endRecorded(jvm)).isEqualTo(2);

            assertThat(p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !sleep.isAlive());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aRecordOfAnotherBootKillsNothing(@TempDir Path jvm) throws Exception {
        Process p = session();
        try {
            Files.writeString(
                    jvm.resolve(CallLedger.FILE),
                    "exxec-calls/1 00000000-another-boot\n" + p.pid() + " " + startTime(p.pid()) + "\n");

            assertThat(CallLedger.endRecorded(jvm)).isZero();
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aPidThatNamesAnotherProcessNowIsNotTouched() throws Exception {
        Process p = session();
        try {
            // Recorded with another start time: the pid was reused, and the session is not the call's.
            assertThat(CallLedger.kill(Map.of(p.pid(), startTime(p.pid()) - 1))).isZero();
            assertThat(p.isAlive()).isTrue();
            assertThat(p.descendants().allMatch(ProcessHandle::isAlive)).isTrue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
