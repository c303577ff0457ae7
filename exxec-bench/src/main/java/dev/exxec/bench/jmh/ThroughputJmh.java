package dev.exxec.bench.jmh;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.local.LocalEnvironment;
import dev.exxec.pool.SessionPool;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Throughput of 2, 8 and 64 concurrent callers on {@code local}, each call a trivial Python statement:
 *
 * <ul>
 *   <li>{@code pool*}: every call acquires a warm session from one shared {@link SessionPool} (as many
 *       sessions as callers, state kept between leases), executes, and gives it back;
 *   <li>{@code session*}: every caller keeps a session of its own and executes in it;
 *   <li>{@code raw*}, the baseline: every caller keeps a Python interpreter of its own over pipes, by
 *       hand, and sends it the statement.
 * </ul>
 *
 * Operations per second for all callers together; the machine's cores bound all three alike.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputJmh {

    /** The pool and environment all callers of a run share, sized to the number of callers. */
    @State(Scope.Benchmark)
    public static class Shared {
        ExecutionEnvironment env;
        SessionPool pool;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            env = LocalEnvironment.builder().python(Raw.PYTHON).build();
            int callers = params.getThreads();
            pool = SessionPool.builder(env, Language.PYTHON)
                    .reset(SessionPool.Reset.NONE)
                    .minIdle(callers)
                    .maxSize(callers)
                    .build();
            awaitIdle(callers);
        }

        /** Waits until every session was started, so that the measurement sees warm ones only. */
        private void awaitIdle(int callers) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (pool.stats().idle() < callers) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the pool did not warm up: " + pool.stats());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
            env.close();
        }
    }

    /** One caller's own session and raw interpreter. */
    @State(Scope.Thread)
    public static class Caller {
        CodeSession session;
        Raw.Interpreter raw;

        @Setup(Level.Trial)
        public void setUp(Shared shared) throws IOException {
            session = shared.env.session(Language.PYTHON);
            SessionJmh.check(session.execute(SessionJmh.STATEMENT));
            raw = new Raw.Interpreter();
            raw.run(SessionJmh.STATEMENT);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            session.close();
            raw.close();
        }
    }

    private static ExecutionResult pool(Shared shared) {
        try (SessionPool.Lease lease = shared.pool.acquire()) {
            return SessionJmh.check(lease.session().execute(SessionJmh.STATEMENT));
        }
    }

    @Benchmark
    @Threads(2)
    public ExecutionResult pool2(Shared shared) {
        return pool(shared);
    }

    @Benchmark
    @Threads(8)
    public ExecutionResult pool8(Shared shared) {
        return pool(shared);
    }

    @Benchmark
    @Threads(64)
    public ExecutionResult pool64(Shared shared) {
        return pool(shared);
    }

    @Benchmark
    @Threads(2)
    public ExecutionResult session2(Caller caller) {
        return SessionJmh.check(caller.session.execute(SessionJmh.STATEMENT));
    }

    @Benchmark
    @Threads(8)
    public ExecutionResult session8(Caller caller) {
        return SessionJmh.check(caller.session.execute(SessionJmh.STATEMENT));
    }

    @Benchmark
    @Threads(64)
    public ExecutionResult session64(Caller caller) {
        return SessionJmh.check(caller.session.execute(SessionJmh.STATEMENT));
    }

    @Benchmark
    @Threads(2)
    public void raw2(Caller caller) throws IOException {
        caller.raw.run(SessionJmh.STATEMENT);
    }

    @Benchmark
    @Threads(8)
    public void raw8(Caller caller) throws IOException {
        caller.raw.run(SessionJmh.STATEMENT);
    }

    @Benchmark
    @Threads(64)
    public void raw64(Caller caller) throws IOException {
        caller.raw.run(SessionJmh.STATEMENT);
    }
}
