package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.BackgroundProcess;
import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.Stop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Processes that stay quiet keep their output readers blocked for as long as they run. Those readers
 * must not hold the virtual-thread scheduler's carriers: the suite runs with a scheduler of two
 * carriers ({@code -Djdk.virtualThreadScheduler.parallelism=2 -Djdk.virtualThreadScheduler.maxPoolSize=2}
 * in the root pom), so two pinned readers would freeze every virtual thread of the JVM, and with them
 * the deadlines of later calls.
 */
class QuietReadersTest {
    @Test
    @Timeout(60)
    void quietBackgroundProcessesAndSessionsLeaveTheSchedulerFree() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of("python", "/usr/bin/python3"))) {
            List<BackgroundProcess> quiet = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                quiet.add(env.processes().start("sleep 120"));
            }
            List<CodeSession> sessions = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CodeSession session = env.session(Language.PYTHON);
                assertThat(session.execute(Code.of(Language.PYTHON, "x = 1")).success())
                        .isTrue();
                sessions.add(session); // its interpreter waits for the next call: its readers block
            }
            assertVirtualThreadsRun();

            long start = System.nanoTime();
            ExecutionResult r = env.executeCommand(Command.of("sleep 30").withTimeout(Duration.ofSeconds(2)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.stoppedBy()).isEqualTo(Stop.DEADLINE);
            assertThat(took).isLessThan(Duration.ofSeconds(3));

            start = System.nanoTime();
            try (EventStream stream = env.stream(
                    Code.of(Language.PYTHON, "import time\ntime.sleep(30)").withTimeout(Duration.ofSeconds(2)))) {
                r = stream.result();
            }
            took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.stoppedBy()).isEqualTo(Stop.DEADLINE);
            assertThat(took).isLessThan(Duration.ofSeconds(3));
            assertVirtualThreadsRun();

            sessions.forEach(CodeSession::close);
            quiet.forEach(BackgroundProcess::kill);
        }
    }

    /**
     * The reproduction of issue 14: a call that stays quiet for longer than the scheduler keeps a
     * spare carrier (30 s) still ends at its deadline, not when the program ends.
     */
    @Test
    @Tag("slow")
    @Timeout(120)
    void aDeadlineFiresOnTimeAfterMoreThanHalfAMinuteOfQuiet() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of("python", "/usr/bin/python3"))) {
            long start = System.nanoTime();
            ExecutionResult r;
            try (EventStream stream = env.stream(Code.of(Language.PYTHON, "import time\ntime.sleep(100)\nprint('done')")
                    .withTimeout(Duration.ofSeconds(35)))) {
                r = stream.result();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.stoppedBy()).isEqualTo(Stop.DEADLINE);
            assertThat(r.stdout()).doesNotContain("done");
            assertThat(took).isLessThan(Duration.ofSeconds(36));
            assertVirtualThreadsRun();
        }
    }

    private static void assertVirtualThreadsRun() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            Thread t = Thread.ofVirtual().start(() -> {});
            assertThat(t.join(Duration.ofSeconds(1)))
                    .as("a virtual thread ran within 1 s")
                    .isTrue();
        }
    }
}
