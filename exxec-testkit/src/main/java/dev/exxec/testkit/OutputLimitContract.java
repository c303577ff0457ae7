package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.failedWith;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Output limits: beyond the limit (per stream) the output is cut and flagged and the code keeps
 * running, or is stopped when so configured; memory stays bounded whatever the code prints.
 */
abstract class OutputLimitContract extends KitArea {
    private static final long MIB = 1L << 20;
    /** The default limit of DESIGN.md: 10 MiB per stream. */
    private static final long DEFAULT_LIMIT = 10 * MIB;

    /** Prints 100 MiB of 'x' to stdout, then returns 1. */
    private static final String FLOOD = """
            import sys
            for _ in range(100):
                sys.stdout.write("x" * (1 << 20))
            sys.stdout.flush()
            _result = 1
            """;

    OutputLimitContract(EnvironmentFactory factory) {
        super(factory);
    }

    /** Asserts that {@code text} is the first bytes of a flood of 'x', cut at {@code limit}. */
    private static void assertCutAt(String text, long limit, ExecutionResult r) {
        assertThat((long) text.length())
                .as("kept output length: %s", describe(r))
                .isBetween(limit - 4, limit);
        assertThat(text.chars().allMatch(c -> c == 'x'))
                .as("the kept output is what was printed")
                .isTrue();
    }

    @Test
    void hundredMegabytesAreCutAtTheLimitAndTheCodeCompletes() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("outputLimit", "1m"));
        ExecutionResult r = succeeded(env.execute(Code.python(FLOOD).withTimeout(Duration.ofSeconds(60))));
        assertThat(r.stdoutTruncated()).as(describe(r)).isTrue();
        assertThat(r.stderrTruncated()).as(describe(r)).isFalse();
        assertCutAt(r.stdout(), MIB, r);
        assertThat(r.result())
                .as("the result survives the flood: %s", describe(r))
                .isEqualTo(1);
    }

    @Test
    void stderrHasItsOwnLimit() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("outputLimit", "1m"));
        ExecutionResult r = succeeded(env.execute(Code.python("""
                import sys
                for _ in range(3):
                    sys.stderr.write("x" * (1 << 20))
                print("ok")
                """)));
        assertThat(r.stderrTruncated()).as(describe(r)).isTrue();
        assertThat(r.stdoutTruncated()).as(describe(r)).isFalse();
        assertThat(r.stdout()).as(describe(r)).isEqualTo("ok\n");
        assertCutAt(r.stderr(), MIB, r);
    }

    @Test
    void commandFloodIsCutAndFlagged() {
        assumeCommands();
        ExecutionEnvironment env = newEnv(Map.of("outputLimit", "1m"));
        ExecutionResult r = succeeded(env.executeCommand(
                Command.of("head -c 50000000 /dev/zero | tr '\\0' x").withTimeout(Duration.ofSeconds(60))));
        assertThat(r.stdoutTruncated()).as(describe(r)).isTrue();
        assertCutAt(r.stdout(), MIB, r);
    }

    /**
     * A result larger than the record limit (the output limit, at least 1 MiB) is an {@link
     * ErrorTypes#OUTPUT_LIMIT} naming the limit, in a session as in one call, and the session goes on.
     * (A session took records up to 64 MiB whatever the limit, and a larger one was "malformed".)
     */
    @Test
    void aResultPastTheRecordLimitIsAnOutputLimitErrorInASessionAsInOneCall() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("outputLimit", "1m"));
        String large = "_result = 'x' * (2 << 20)";
        ExecutionResult once = failedWith(env.execute(Code.python(large)), ErrorTypes.OUTPUT_LIMIT);
        assertThat(once.error()).as(describe(once)).contains(Long.toString(MIB));
        if (env.capabilities().sessions()) {
            try (CodeSession s = env.session(Language.PYTHON)) {
                ExecutionResult r = failedWith(s.execute(Code.python(large)), ErrorTypes.OUTPUT_LIMIT);
                assertThat(r.error()).as(describe(r)).isEqualTo(once.error());
                ExecutionResult after = succeeded(s.execute(Code.python("_result = len('x' * 1000)")));
                assertThat(after.result()).as(describe(after)).isEqualTo(1000);
            }
        }
    }

    @Test
    void stopOnOutputLimitStopsTheCall() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("outputLimit", "1m", "stopOnOutputLimit", "true"));
        long start = System.nanoTime();
        ExecutionResult r = env.execute(Code.python("""
                        import sys
                        while True:
                            sys.stdout.write("x" * 65536)
                        """).withTimeout(Duration.ofSeconds(30)));
        failedWith(r, ErrorTypes.OUTPUT_LIMIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("stopped at the limit, not at the deadline: %s", describe(r))
                .isLessThan(Duration.ofSeconds(10));
        assertThat(r.stdoutTruncated()).as(describe(r)).isTrue();
        assertThat((long) r.stdout().length()).as(describe(r)).isLessThanOrEqualTo(MIB);
    }

    /**
     * The same flood with the default limit (10 MiB) in a JVM of 64 MiB heap (or the factory's {@link
     * EnvironmentFactory#smallHeap()}): it must complete, cut at the default limit, so nothing holds
     * the whole output.
     */
    @Test
    void memoryStaysBoundedInASmallHeap() throws IOException, InterruptedException {
        assumeLanguage(Language.PYTHON);
        ChildJvm.Report report = ChildJvm.run(
                factory(), Map.of(), Language.PYTHON, FLOOD, factory().smallHeap(), Map.of());
        assertThat(report.exitCode())
                .as("the child JVM's exit code (3 = out of memory):\n%s", report.output())
                .isZero();
        assertThat(report.field("success")).as(report.output()).isEqualTo("true");
        assertThat(report.field("stdoutTruncated")).as(report.output()).isEqualTo("true");
        assertThat(Long.parseLong(report.field("stdoutLength")))
                .as(report.output())
                .isBetween(DEFAULT_LIMIT - 4, DEFAULT_LIMIT);
    }
}
