package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.ErrorTypes;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.StdStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live events: {@code Started} first, output while the code runs, exactly one terminal event last,
 * one id per execution, and closing a stream early cancels the execution.
 */
abstract class StreamingContract extends KitArea {
    /** How long a test waits for a stream to end before it fails. */
    private static final Duration END = Duration.ofSeconds(30);

    StreamingContract(EnvironmentFactory factory) {
        super(factory);
    }

    @BeforeAll
    final void requireStreaming() {
        assumeTrue(caps().streaming(), "the environment does not declare streaming");
    }

    /** An event and when it arrived (System.nanoTime). */
    record Arrival(ExecutionEvent event, long nanos) {}

    /** All events of a stream up to and including the terminal one, with their arrival times. */
    static List<Arrival> drain(EventStream stream) throws InterruptedException {
        List<Arrival> arrivals = new ArrayList<>();
        long deadline = System.nanoTime() + END.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("no terminal event within " + END + "; events so far: " + arrivals);
            }
            Optional<ExecutionEvent> e = stream.next(Duration.ofNanos(left));
            if (e.isPresent()) {
                arrivals.add(new Arrival(e.get(), System.nanoTime()));
                if (e.get().isTerminal()) {
                    return arrivals;
                }
            }
        }
    }

    /** The texts of one stream's output events, concatenated. */
    static String text(List<Arrival> arrivals, StdStream which) {
        StringBuilder text = new StringBuilder();
        for (Arrival a : arrivals) {
            if (a.event() instanceof ExecutionEvent.Output o && o.stream() == which) {
                text.append(o.text());
            }
        }
        return text.toString();
    }

    /** Asserts the shape every stream has, and returns the result its terminal event carries. */
    static ExecutionResult assertWellFormed(EventStream stream, List<Arrival> arrivals) {
        assertThat(arrivals).as("events").isNotEmpty();
        assertThat(arrivals.get(0).event()).as("the first event").isInstanceOf(ExecutionEvent.Started.class);
        ExecutionEvent last = arrivals.get(arrivals.size() - 1).event();
        assertThat(last.isTerminal()).as("the last event is terminal: %s", last).isTrue();
        assertThat(arrivals.stream().filter(a -> a.event().isTerminal()).count())
                .as("terminal events in %s", arrivals)
                .isEqualTo(1);
        assertThat(arrivals.stream()
                        .filter(a -> a.event() instanceof ExecutionEvent.Started)
                        .count())
                .as("Started events")
                .isEqualTo(1);
        assertThat(arrivals)
                .as("every event carries the stream's id")
                .allSatisfy(a -> assertThat(a.event().id()).isEqualTo(stream.id()));
        ExecutionResult r = switch (last) {
            case ExecutionEvent.Completed c -> c.result();
            case ExecutionEvent.Failed f -> f.result();
            default -> throw new AssertionError("not terminal: " + last);
        };
        assertThat(text(arrivals, StdStream.STDOUT))
                .as("stdout events = result stdout")
                .isEqualTo(r.stdout());
        assertThat(text(arrivals, StdStream.STDERR))
                .as("stderr events = result stderr")
                .isEqualTo(r.stderr());
        return r;
    }

    private Language anyLanguage() {
        for (Language l : Language.values()) {
            if (caps().supports(l)) {
                return l;
            }
        }
        return org.junit.jupiter.api.Assumptions.abort("the environment declares no language");
    }

    @Test
    void commandEventsAreStartedOutputThenCompleted() throws InterruptedException {
        assumeCommands();
        try (EventStream stream = env().streamCommand("echo one; echo two >&2; echo three")) {
            List<Arrival> arrivals = drain(stream);
            ExecutionResult r = assertWellFormed(stream, arrivals);
            assertThat(arrivals.get(arrivals.size() - 1).event()).isInstanceOf(ExecutionEvent.Completed.class);
            assertThat(r.stdout()).as(describe(r)).isEqualTo("one\nthree\n");
            assertThat(r.stderr()).as(describe(r)).isEqualTo("two\n");
            assertThat(((ExecutionEvent.Started) arrivals.get(0).event()).command())
                    .isNotBlank();
        }
    }

    @Test
    void codeEventsCarryTheResult() throws InterruptedException {
        LanguagePrograms programs = LanguagePrograms.of(anyLanguage());
        try (EventStream stream = env().stream(Code.of(programs.language(), programs.printsAndReturns()))) {
            List<Arrival> arrivals = drain(stream);
            ExecutionResult r = assertWellFormed(stream, arrivals);
            ExecutionEvent last = arrivals.get(arrivals.size() - 1).event();
            assertThat(last).as(describe(r)).isInstanceOf(ExecutionEvent.Completed.class);
            assertThat(((ExecutionEvent.Completed) last).exitCode()).isZero();
            assertThat(r.result()).as(describe(r)).isEqualTo(1);
            assertThat(r.stdout())
                    .as("the result record is never an output event: %s", describe(r))
                    .isEqualTo("hello\n");
        }
    }

    @Test
    void failingCodeEndsWithFailed() throws InterruptedException {
        LanguagePrograms programs = LanguagePrograms.of(anyLanguage());
        try (EventStream stream = env().stream(Code.of(programs.language(), programs.raisesAtLine3()))) {
            List<Arrival> arrivals = drain(stream);
            ExecutionResult r = assertWellFormed(stream, arrivals);
            ExecutionEvent last = arrivals.get(arrivals.size() - 1).event();
            assertThat(last).as(describe(r)).isInstanceOf(ExecutionEvent.Failed.class);
            ExecutionEvent.Failed failed = (ExecutionEvent.Failed) last;
            assertThat(failed.errorType()).isEqualTo(programs.lineErrorType());
            assertThat(failed.error()).isEqualTo("bad value");
            assertThat(r.traceback()).as(describe(r)).isNotNull();
        }
    }

    @Test
    void failingCommandEndsWithFailed() throws InterruptedException {
        assumeCommands();
        try (EventStream stream = env().streamCommand("echo x; exit 4")) {
            List<Arrival> arrivals = drain(stream);
            ExecutionResult r = assertWellFormed(stream, arrivals);
            ExecutionEvent last = arrivals.get(arrivals.size() - 1).event();
            assertThat(last).as(describe(r)).isInstanceOf(ExecutionEvent.Failed.class);
            assertThat(((ExecutionEvent.Failed) last).exitCode()).isEqualTo(4);
            assertThat(((ExecutionEvent.Failed) last).errorType()).isEqualTo(ErrorTypes.PROCESS_EXIT);
            assertThat(r.stdout()).isEqualTo("x\n");
        }
    }

    @Test
    void resultConsumesTheStream() {
        LanguagePrograms programs = LanguagePrograms.of(anyLanguage());
        try (EventStream stream = env().stream(Code.of(programs.language(), programs.printsAndReturns()))) {
            ExecutionResult r = stream.result();
            assertThat(r.success()).as(describe(r)).isTrue();
            assertThat(r.result()).as(describe(r)).isEqualTo(1);
            assertThat(r.stdout()).as(describe(r)).isEqualTo("hello\n");
        }
    }

    @Test
    void idsAreUniqueAcrossExecutions() throws InterruptedException {
        LanguagePrograms programs = LanguagePrograms.of(anyLanguage());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (EventStream stream = env().stream(Code.of(programs.language(), programs.noResult()))) {
                assertWellFormed(stream, drain(stream));
                ids.add(stream.id());
            }
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void pythonLinesArriveWhileItRuns() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assertLive(env().stream(Code.python("""
                import time
                for i in range(5):
                    print("line-%d" % i)
                    time.sleep(0.2)
                """)));
    }

    @Test
    void javaScriptLinesArriveWhileItRuns() throws InterruptedException {
        assumeLanguage(Language.JAVASCRIPT);
        assertLive(env().stream(Code.javascript("""
                async function main() {
                  for (let i = 0; i < 5; i++) {
                    console.log("line-" + i);
                    await new Promise((resolve) => setTimeout(resolve, 200));
                  }
                }
                """)));
    }

    @Test
    void commandLinesArriveWhileItRuns() throws InterruptedException {
        assumeCommands();
        assertLive(env().streamCommand("for i in 0 1 2 3 4; do echo line-$i; sleep 0.2; done"));
    }

    /**
     * Five lines printed 200 ms apart: the first must arrive long before the end (about 1 s before;
     * 600 ms required) and the fourth clearly later than the first, or the output was held back.
     */
    private static void assertLive(EventStream events) throws InterruptedException {
        try (EventStream stream = events) {
            List<Arrival> arrivals = drain(stream);
            ExecutionResult r = assertWellFormed(stream, arrivals);
            assertThat(r.success()).as(describe(r)).isTrue();
            assertThat(r.stdout()).as(describe(r)).isEqualTo("line-0\nline-1\nline-2\nline-3\nline-4\n");
            long end = arrivals.get(arrivals.size() - 1).nanos();
            long first = arrivalOf(arrivals, "line-0\n");
            long fourth = arrivalOf(arrivals, "line-3\n");
            assertThat(Duration.ofNanos(end - first))
                    .as("the first line arrives while the program runs: %s", timeline(arrivals))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(Duration.ofNanos(fourth - first))
                    .as("lines arrive as they are printed, not in one batch: %s", timeline(arrivals))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    /** When the output containing {@code line} (up to its end) had arrived. */
    private static long arrivalOf(List<Arrival> arrivals, String line) {
        StringBuilder stdout = new StringBuilder();
        for (Arrival a : arrivals) {
            if (a.event() instanceof ExecutionEvent.Output o && o.stream() == StdStream.STDOUT) {
                stdout.append(o.text());
                if (stdout.indexOf(line) >= 0) {
                    return a.nanos();
                }
            }
        }
        throw new AssertionError("no output contains " + line.strip() + ": " + arrivals);
    }

    private static String timeline(List<Arrival> arrivals) {
        long start = arrivals.get(0).nanos();
        StringBuilder s = new StringBuilder();
        for (Arrival a : arrivals) {
            s.append("\n  +")
                    .append((a.nanos() - start) / 1_000_000)
                    .append("ms ")
                    .append(a.event());
        }
        return s.toString();
    }

    @Test
    void closingACommandStreamEarlyKillsIt() throws InterruptedException {
        assumeCommands();
        HostProbe probe = probe();
        EventStream stream =
                env().streamCommand(Outcomes.SH_NS + "echo pid:sh=$ns:$$; sleep 30 & echo pid:sleep=$ns:$!; wait");
        Map<String, ProcessRef> pids = awaitPids(stream, 2);
        long before = System.nanoTime();
        stream.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before))
                .as("close() returns promptly")
                .isLessThan(Duration.ofSeconds(3));
        Outcomes.awaitGone(probe, pids.values(), Duration.ofSeconds(3));
    }

    @Test
    void closingACodeStreamEarlyKillsIt() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeOwnProcess();
        HostProbe probe = probe();
        EventStream stream = env().stream(Code.python(Outcomes.PY_PID_REF + """
                import subprocess, time
                child = subprocess.Popen(["sleep", "30"])
                print("pid:self=" + pid_ref(os.getpid()))
                print("pid:child=" + pid_ref(child.pid))
                time.sleep(30)
                """));
        Map<String, ProcessRef> pids = awaitPids(stream, 2);
        stream.close();
        Outcomes.awaitGone(probe, pids.values(), Duration.ofSeconds(3));
    }

    /** Reads a stream's output until it printed {@code count} pids. */
    private static Map<String, ProcessRef> awaitPids(EventStream stream, int count) throws InterruptedException {
        StringBuilder stdout = new StringBuilder();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExecutionEvent> e = stream.next(Duration.ofMillis(100));
            if (e.isPresent()) {
                if (e.get() instanceof ExecutionEvent.Output o) {
                    stdout.append(o.text());
                    Map<String, ProcessRef> pids = Outcomes.pids(stdout.toString());
                    if (pids.size() >= count) {
                        return pids;
                    }
                }
                if (e.get().isTerminal()) {
                    throw new AssertionError("the execution ended before printing its pids: " + e.get());
                }
            }
        }
        throw new AssertionError("no " + count + " pids printed within 15 s; output: " + stdout);
    }
}
