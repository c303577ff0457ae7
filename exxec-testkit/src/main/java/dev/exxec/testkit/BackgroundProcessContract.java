package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.BackgroundProcess;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.ProcessOutput;
import dev.exxec.ProcessSpec;
import dev.exxec.StdStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Background processes: start a command, see its output while it runs, wait for its exit code, write
 * to its input, kill it with its children, list them; closing the environment kills them all.
 */
abstract class BackgroundProcessContract extends KitArea {
    private static final Duration WAIT = Duration.ofSeconds(10);

    BackgroundProcessContract(EnvironmentFactory factory) {
        super(factory);
    }

    @BeforeAll
    final void requireProcesses() {
        assumeTrue(caps().processes(), "the environment does not declare background processes");
    }

    private BackgroundProcess start(String command) {
        return env().processes().start(command);
    }

    /** Waits until the process printed {@code count} pids, and returns them. */
    private static Map<String, ProcessRef> awaitPids(BackgroundProcess p, int count) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(Outcomes.pids(p.output().stdout()))
                        .as("pids printed by %s", p.command())
                        .hasSizeGreaterThanOrEqualTo(count));
        return Outcomes.pids(p.output().stdout());
    }

    @Test
    void runsToItsEndWithOutputAndExitCode() throws InterruptedException {
        BackgroundProcess p = start("echo out; echo err >&2; exit 7");
        assertThat(p.id()).isNotBlank();
        assertThat(p.command()).isEqualTo("echo out; echo err >&2; exit 7");
        assertThat(p.waitFor(WAIT)).isEqualTo(OptionalInt.of(7));
        assertThat(p.isAlive()).isFalse();
        assertThat(p.exitCode()).isEqualTo(OptionalInt.of(7));
        ProcessOutput out = p.output();
        assertThat(out.stdout()).isEqualTo("out\n");
        assertThat(out.stderr()).isEqualTo("err\n");
        assertThat(out.combined()).contains("out\n").contains("err\n").hasSize(8);
        assertThat(out.truncated()).isFalse();
    }

    @Test
    void outputIsVisibleWhileItRuns() throws InterruptedException {
        BackgroundProcess p = start("echo first; sleep 30");
        try {
            await().atMost(WAIT).until(() -> p.output().stdout().equals("first\n"));
            assertThat(p.isAlive()).isTrue();
            assertThat(p.exitCode()).isEmpty();
            assertThat(p.waitFor(Duration.ofMillis(200))).as("still running").isEmpty();
        } finally {
            p.kill();
        }
        assertThat(p.isAlive()).isFalse();
        OptionalInt exit = p.waitFor(WAIT);
        assertThat(exit).as("it ended").isPresent();
        assertThat(exit.getAsInt()).as("killed: 128 + signal").isGreaterThan(128);
    }

    @Test
    void eventsReplayAndFollowTheOutput() throws InterruptedException {
        BackgroundProcess p = start("echo one; sleep 0.3; echo two >&2; sleep 30");
        try {
            List<ExecutionEvent> events = new ArrayList<>();
            try (EventStream stream = p.events()) {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline
                        && !text(events, StdStream.STDERR).contains("two")) {
                    Optional<ExecutionEvent> e = stream.next(Duration.ofMillis(100));
                    e.ifPresent(events::add);
                }
            }
            assertThat(events).as("events").isNotEmpty();
            assertThat(events.get(0)).isInstanceOf(ExecutionEvent.Started.class);
            assertThat(text(events, StdStream.STDOUT)).isEqualTo("one\n");
            assertThat(text(events, StdStream.STDERR)).isEqualTo("two\n");
            assertThat(p.isAlive())
                    .as("closing the events does not stop the process")
                    .isTrue();
        } finally {
            p.kill();
        }
    }

    @Test
    void eventsEndWithTheExit() throws InterruptedException {
        BackgroundProcess p = start("echo done; exit 3");
        assertThat(p.waitFor(WAIT)).isEqualTo(OptionalInt.of(3));
        try (EventStream stream = p.events()) {
            List<ExecutionEvent> events = new ArrayList<>();
            for (ExecutionEvent e : stream) {
                events.add(e);
            }
            assertThat(events.get(0)).isInstanceOf(ExecutionEvent.Started.class);
            assertThat(text(events, StdStream.STDOUT)).isEqualTo("done\n");
            ExecutionEvent last = events.get(events.size() - 1);
            assertThat(last).isInstanceOf(ExecutionEvent.Failed.class);
            assertThat(((ExecutionEvent.Failed) last).exitCode()).isEqualTo(3);
        }
    }

    private static String text(List<ExecutionEvent> events, StdStream which) {
        StringBuilder s = new StringBuilder();
        for (ExecutionEvent e : events) {
            if (e instanceof ExecutionEvent.Output o && o.stream() == which) {
                s.append(o.text());
            }
        }
        return s.toString();
    }

    @Test
    void standardInputReachesIt() throws InterruptedException {
        BackgroundProcess p = start("cat");
        p.write("hello\n");
        p.write(LanguageContract.UNICODE + "\n");
        p.closeStdin();
        assertThat(p.waitFor(WAIT)).isEqualTo(OptionalInt.of(0));
        assertThat(p.output().stdout()).isEqualTo("hello\n" + LanguageContract.UNICODE + "\n");
    }

    @Test
    void killEndsItAndItsChildren() {
        HostProbe probe = probe();
        BackgroundProcess p = start(Outcomes.SH_NS + "sleep 300 & echo pid:child=$ns:$!; echo pid:shell=$ns:$$; wait");
        Map<String, ProcessRef> pids = awaitPids(p, 2);
        p.kill();
        assertThat(p.isAlive()).isFalse();
        Outcomes.awaitGone(probe, pids.values(), Duration.ofSeconds(3));
        p.kill(); // idempotent
    }

    @Test
    void listAndGetShowStartedProcesses() {
        BackgroundProcess a = start("sleep 30");
        BackgroundProcess b = start("sleep 30");
        try {
            assertThat(a.id()).isNotEqualTo(b.id());
            assertThat(env().processes().list())
                    .extracting(BackgroundProcess::id)
                    .contains(a.id(), b.id());
            assertThat(env().processes().get(a.id())).map(BackgroundProcess::id).contains(a.id());
            a.kill();
            assertThat(env().processes().list())
                    .as("killed processes leave the list")
                    .extracting(BackgroundProcess::id)
                    .doesNotContain(a.id())
                    .contains(b.id());
        } finally {
            a.kill();
            b.kill();
        }
    }

    @Test
    void cwdAndEnvOfTheSpecAreHonoured() throws InterruptedException {
        if (caps().files()) {
            env().files().mkdir("proc-cwd");
        } else {
            start("mkdir -p proc-cwd").waitFor(WAIT);
        }
        BackgroundProcess p = env().processes()
                .start(ProcessSpec.of("pwd; echo \"$KIT_PROC_VAR\"")
                        .withCwd("proc-cwd")
                        .withEnv("KIT_PROC_VAR", "v1"));
        assertThat(p.waitFor(WAIT)).isEqualTo(OptionalInt.of(0));
        assertThat(p.output().stdout()).endsWith("/proc-cwd\nv1\n");
    }

    @Test
    void outputLimitKeepsTheMostRecentOutput() throws InterruptedException {
        BackgroundProcess p =
                env().processes().start(ProcessSpec.of("seq 1 100000").withOutputLimit(1024));
        assertThat(p.waitFor(WAIT)).isEqualTo(OptionalInt.of(0));
        ProcessOutput out = p.output();
        assertThat(out.truncated()).isTrue();
        assertThat(out.stdout().length()).isLessThanOrEqualTo(1024);
        assertThat(out.stdout()).endsWith("99999\n100000\n");
    }

    @Test
    void closingTheEnvironmentKillsThemAll() {
        HostProbe probe = probe();
        ExecutionEnvironment env = newEnv(Map.of());
        BackgroundProcess a =
                env.processes().start(Outcomes.SH_NS + "sleep 300 & echo pid:a-child=$ns:$!; echo pid:a=$ns:$$; wait");
        BackgroundProcess b = env.processes().start(Outcomes.SH_NS + "echo pid:b=$ns:$$; exec sleep 300");
        List<ProcessRef> pids = new ArrayList<>(awaitPids(a, 2).values());
        pids.addAll(awaitPids(b, 1).values());
        env.close();
        Outcomes.awaitGone(probe, pids, Duration.ofSeconds(3));
        assertThat(a.isAlive()).isFalse();
        assertThat(b.isAlive()).isFalse();
    }
}
