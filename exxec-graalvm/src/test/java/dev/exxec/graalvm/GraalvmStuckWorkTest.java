package dev.exxec.graalvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ConfigException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.LimitExceededException;
import dev.exxec.graalvm.internal.Stragglers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A program inside an operation that a cancelled context cannot stop (big-integer arithmetic: {@code
 * 7 ** 200000000} is one {@code BigInteger.pow} of minutes) must not outlive its deadline for the
 * caller, nor hold up the environment's next call. Measured before the fix, with {@code threads=1}: the
 * call ended at its deadline + 3.9 s and every later call timed out behind it, for both languages; a
 * JavaScript call from a platform thread did not end at all until the arithmetic did.
 */
@Timeout(300)
class GraalvmStuckWorkTest {
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final Duration SLACK = Duration.ofSeconds(1);

    private static final Map<Language, String> STUCK = Map.of(
            Language.PYTHON, "x = 7 ** 20000000\n",
            Language.JAVASCRIPT, "let x = 7n ** 20000000n;\n");
    private static final Map<Language, String> TRIVIAL = Map.of(
            Language.PYTHON, "_result = 6 * 7\n",
            Language.JAVASCRIPT, "let _result = 6 * 7;\n");

    /** Runs a call on a virtual thread (as {@code exxec serve} does) or on this platform thread. */
    private static <T> T on(boolean virtual, Callable<T> call) throws Exception {
        if (!virtual) {
            return call.call();
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> thrown = new AtomicReference<>();
        Thread.ofVirtual()
                .start(() -> {
                    try {
                        result.set(call.call());
                    } catch (Exception e) {
                        thrown.set(e);
                    }
                })
                .join();
        if (thrown.get() != null) {
            throw thrown.get();
        }
        return result.get();
    }

    /** Starts below the cap: a test before (a conformance case) may have left a call running. */
    @BeforeEach
    void noneLeftRunning() throws InterruptedException {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of())) {
            awaitStragglers(env);
        }
    }

    /**
     * Waits until no call of the provider is left running, so that each test starts below the cap
     * (each stuck computation here takes some seconds of a core).
     */
    private static void awaitStragglers(ExecutionEnvironment env) throws InterruptedException {
        Stragglers stragglers = ((GraalvmEnvironment) env).polyglot().stragglers();
        long end = System.nanoTime() + Duration.ofSeconds(100).toNanos();
        while (stragglers.running() > 0 && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(stragglers.running()).as("calls still left running").isZero();
    }

    private static String describe(ExecutionResult r) {
        return "errorType=" + r.errorType() + " error=" + r.error() + " result=" + r.result();
    }

    /** The stuck call ends at its deadline + 1 s at most; the next trivial one answers within 1 s. */
    private static void stuckThenTrivial(Callable<ExecutionResult> stuck, Callable<ExecutionResult> trivial)
            throws Exception {
        long start = System.nanoTime();
        ExecutionResult r = stuck.call();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(took).as("the stuck call's duration").isLessThanOrEqualTo(DEADLINE.plus(SLACK));
        start = System.nanoTime();
        ExecutionResult next = trivial.call();
        took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(next.result()).as(describe(next)).isEqualTo(42);
        assertThat(took).as("the next call's duration").isLessThanOrEqualTo(SLACK);
    }

    private static void oneShot(Language language, boolean virtual) throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of("threads", 1))) {
            Code trivial = Code.of(language, TRIVIAL.get(language)).withTimeout(Duration.ofSeconds(10));
            // Warm: the engine and a first context are built (seconds for GraalPy in the fallback runtime).
            ExecutionResult warm = env.execute(trivial.withTimeout(Duration.ofSeconds(60)));
            assertThat(warm.result()).as(describe(warm)).isEqualTo(42);
            stuckThenTrivial(
                    () -> on(
                            virtual,
                            () -> env.execute(
                                    Code.of(language, STUCK.get(language)).withTimeout(DEADLINE))),
                    () -> on(virtual, () -> env.execute(trivial)));
            awaitStragglers(env);
            // The context of the call left running was closed when its thread came back; the pool
            // is its size again and serves on.
            assertThat(env.execute(trivial).result()).isEqualTo(42);
        }
    }

    @Test
    void pythonBigIntegerPastItsDeadlineFreesTheEnvironment() throws Exception {
        oneShot(Language.PYTHON, true);
    }

    @Test
    void javaScriptBigIntegerPastItsDeadlineFreesTheEnvironment() throws Exception {
        oneShot(Language.JAVASCRIPT, true);
    }

    @Test
    void javaScriptBigIntegerOnAPlatformCallerEndsAtItsDeadline() throws Exception {
        oneShot(Language.JAVASCRIPT, false);
    }

    @Test
    void aSessionGoesOnWithAFreshInterpreter() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of("threads", 1));
                CodeSession session = env.session(Language.PYTHON)) {
            assertThat(session.execute(Code.python("y = 6\n_result = y * 7\n").withTimeout(Duration.ofSeconds(60)))
                            .result())
                    .isEqualTo(42);
            long start = System.nanoTime();
            ExecutionResult r =
                    session.execute(Code.python(STUCK.get(Language.PYTHON)).withTimeout(DEADLINE));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(DEADLINE.plus(SLACK));
            assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
            assertThat(r.error()).contains("state").contains("left to finish on its own thread");
            start = System.nanoTime();
            ExecutionResult next = session.execute(Code.python("_result = 'y' in globals()\n"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(Duration.ofSeconds(3));
            assertThat(next.result()).as(describe(next)).isEqualTo(false); // a fresh interpreter
            awaitStragglers(env);
        }
    }

    /**
     * The reproduction: one Python and one JavaScript call stuck past their deadline in the
     * same environment (two stuck calls: the whole cap of a 2-CPU machine before the fix, which then
     * refused every later graalvm call of the JVM); the next trivial call still answers within 1 s.
     */
    @Test
    void aStuckCallOfEachLanguageStillLeavesTheEnvironmentServing() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of())) {
            for (Language language : new Language[] {Language.PYTHON, Language.JAVASCRIPT}) {
                ExecutionResult warm =
                        env.execute(Code.of(language, TRIVIAL.get(language)).withTimeout(Duration.ofSeconds(60)));
                assertThat(warm.result()).as(describe(warm)).isEqualTo(42);
            }
            for (Language language : new Language[] {Language.PYTHON, Language.JAVASCRIPT}) {
                ExecutionResult r = on(
                        true,
                        () -> env.execute(Code.of(language, STUCK.get(language)).withTimeout(DEADLINE)));
                assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
            }
            long start = System.nanoTime();
            ExecutionResult next = on(
                    true,
                    () -> env.execute(Code.python(TRIVIAL.get(Language.PYTHON)).withTimeout(Duration.ofSeconds(10))));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(next.result()).as(describe(next)).isEqualTo(42);
            assertThat(took).as("the next call's duration").isLessThanOrEqualTo(SLACK);
            awaitStragglers(env);
        }
    }

    @Test
    void callsLeftRunningAreCappedAndNewCallsRefusedMeanwhile() throws Exception {
        int limit = 2;
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of("threads", 1, "maxStuck", limit))) {
            Code stuck = Code.javascript(STUCK.get(Language.JAVASCRIPT)).withTimeout(DEADLINE);
            for (int i = 0; i < limit; i++) {
                assertThat(on(true, () -> env.execute(stuck)).errorType()).isEqualTo(ErrorTypes.TIMEOUT);
            }
            Stragglers stragglers = ((GraalvmEnvironment) env).polyglot().stragglers();
            assertThat(stragglers.running()).isEqualTo(limit);
            assertThatThrownBy(() -> env.execute(Code.javascript(TRIVIAL.get(Language.JAVASCRIPT))))
                    .isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("refuses the call")
                    .hasMessageContaining("limit of " + limit)
                    .hasMessageContaining("maxStuck");
            awaitStragglers(env);
            assertThat(env.execute(Code.javascript(TRIVIAL.get(Language.JAVASCRIPT)))
                            .result())
                    .isEqualTo(42);
        }
    }

    @Test
    void maxStuckMustBeAPositiveInteger() {
        assertThat(GraalvmConfig.defaults().maxStuck())
                .isEqualTo(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
        assertThat(GraalvmConfig.from(Map.of("maxStuck", "7")).maxStuck()).isEqualTo(7);
        for (Object bad : new Object[] {0, -1, "many"}) {
            assertThatThrownBy(() -> GraalvmConfig.from(Map.of("maxStuck", bad)))
                    .as("maxStuck=" + bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("maxStuck");
        }
    }
}
