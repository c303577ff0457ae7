package dev.exxec.bench.jmh;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.local.LocalEnvironment;
import dev.exxec.pool.SessionPool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One trivial statement ({@code _result = 1}) on {@code local}, one caller: in a warm session, through
 * a session pool (acquire + execute + release), and as a one-shot {@code execute}; against their raw
 * baselines in the same run: the statement sent to a warm Python interpreter over pipes by hand, and
 * {@code python3 -c} spawned with {@link ProcessBuilder}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SessionJmh {
    static final String STATEMENT = "_result = 1";

    private ExecutionEnvironment env;
    private CodeSession session;
    private SessionPool pool;
    private Raw.Interpreter raw;
    private Path workspace;

    @Setup
    public void setUp() throws IOException {
        env = LocalEnvironment.builder().python(Raw.PYTHON).build();
        workspace = Path.of(env.files().workspace());
        session = env.session(Language.PYTHON);
        check(session.execute(STATEMENT));
        // One tenant: the session keeps its state between leases, as a per-caller cache would.
        pool = SessionPool.builder(env, Language.PYTHON)
                .reset(SessionPool.Reset.NONE)
                .minIdle(1)
                .maxSize(1)
                .build();
        raw = new Raw.Interpreter();
        raw.run(STATEMENT);
    }

    @TearDown
    public void tearDown() {
        raw.close();
        pool.close();
        session.close();
        env.close();
    }

    static ExecutionResult check(ExecutionResult r) {
        if (!r.success() || !Integer.valueOf(1).equals(r.result())) {
            throw new IllegalStateException("wrong result: " + r);
        }
        return r;
    }

    /** exxec: the statement in a warm session. */
    @Benchmark
    public ExecutionResult sessionExecute() {
        return check(session.execute(STATEMENT));
    }

    /** exxec: acquire a warm session from a pool, run the statement, give it back. */
    @Benchmark
    public ExecutionResult sessionPoolAcquireExecuteRelease() {
        try (SessionPool.Lease lease = pool.acquire()) {
            return check(lease.session().execute(STATEMENT));
        }
    }

    /** exxec: the statement as a one-shot execute (a fresh interpreter). */
    @Benchmark
    public ExecutionResult oneShotExecute() {
        return check(env.execute(STATEMENT));
    }

    /** Raw baseline of a session call: the statement to a warm interpreter over pipes, by hand. */
    @Benchmark
    public void rawInterpreterRoundTrip() throws IOException {
        raw.run(STATEMENT);
    }

    /** Raw baseline of a one-shot execute: {@code python3 -c} spawned and awaited. */
    @Benchmark
    public void rawPythonSpawn() throws IOException, InterruptedException {
        Raw.spawn(List.of(Raw.PYTHON, "-c", STATEMENT), workspace);
    }
}
