package dev.exxec.bench.jmh;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.local.SandboxPolicy;
import dev.exxec.pool.EnvironmentPool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * For {@code local}, {@code sandbox} and {@code docker}, one caller: pool acquire + execute of a
 * trivial Python statement + release, against cold creation (create the environment, execute, close
 * it); and their raw baselines in the same run:
 *
 * <ul>
 *   <li>{@code raw}, the warm path by hand: {@code python3 -c} spawned ({@code local}); the same under
 *       exxec's bubblewrap command line ({@code sandbox}); {@code docker exec} of it in a running
 *       container ({@code docker}).
 *   <li>{@code rawCold}, the cold path by hand: a fresh temporary directory, the same spawn in it, the
 *       directory deleted ({@code local}, {@code sandbox}); {@code docker run --rm} of it ({@code
 *       docker}).
 * </ul>
 *
 * A provider that does not work here (no dockerd, no working bubblewrap) fails its benchmarks at set-up
 * with the provider's own reason; {@code -p provider=local,sandbox} leaves docker out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PoolJmh {
    @Param({"local", "sandbox", "docker"})
    public String provider;

    private Map<String, ?> config;
    private EnvironmentPool pool;
    private String container;
    private Path dir;
    private dev.exxec.bench.RawSandbox sandbox;

    @Setup
    public void setUp() throws IOException, InterruptedException {
        Raw.requireAvailable(provider);
        config = provider.equals("docker") ? Map.of("image", Raw.IMAGE) : Map.of("python", Raw.PYTHON);
        pool = EnvironmentPool.builder(provider, config).minIdle(1).maxSize(1).build();
        switch (provider) {
            case "docker" ->
                container = Raw.output(List.of("docker", "run", "-d", "--rm", Raw.IMAGE, "sleep", "infinity"));
            case "sandbox", "local" -> {
                dir = Raw.tempDir();
                sandbox = new dev.exxec.bench.RawSandbox(SandboxPolicy.DEFAULTS, dir, python());
            }
            default -> throw new IllegalArgumentException("no raw baseline for " + provider);
        }
    }

    @TearDown
    public void tearDown() throws IOException, InterruptedException {
        pool.close();
        if (container != null) {
            Raw.spawn(List.of("docker", "rm", "-f", container), Path.of("/"));
        }
        if (dir != null) {
            Raw.delete(dir);
        }
    }

    private static ExecutionResult check(ExecutionResult r) {
        if (!r.success() || !Integer.valueOf(1).equals(r.result())) {
            throw new IllegalStateException("wrong result: " + r);
        }
        return r;
    }

    /** exxec: acquire a warm environment, execute, give it back (reset in the background). */
    @Benchmark
    public ExecutionResult pooled() {
        try (EnvironmentPool.Lease lease = pool.acquire()) {
            return check(lease.environment().execute(SessionJmh.STATEMENT));
        }
    }

    /** exxec: create an environment, execute, close it. */
    @Benchmark
    public ExecutionResult cold() {
        try (ExecutionEnvironment env = Exxec.environment(provider, config)) {
            return check(env.execute(SessionJmh.STATEMENT));
        }
    }

    /** Raw baseline of the warm path. */
    @Benchmark
    public void raw() throws IOException, InterruptedException {
        switch (provider) {
            case "local" -> Raw.spawn(python(), dir.resolve("workspace"));
            case "sandbox" -> Raw.spawn(sandbox.command(List.of()), dir);
            default -> Raw.spawn(docker("exec", "-i", container), Path.of("/"));
        }
    }

    /** Raw baseline of the cold path. */
    @Benchmark
    public void rawCold() throws IOException, InterruptedException {
        switch (provider) {
            case "local" -> {
                Path fresh = Raw.tempDir();
                Raw.spawn(python(), fresh);
                Raw.delete(fresh);
            }
            case "sandbox" -> {
                Path fresh = Raw.tempDir();
                Raw.spawn(
                        new dev.exxec.bench.RawSandbox(SandboxPolicy.DEFAULTS, fresh, python()).command(List.of()),
                        fresh);
                Raw.delete(fresh);
            }
            default -> Raw.spawn(docker("run", "--rm", Raw.IMAGE), Path.of("/"));
        }
    }

    private static List<String> python() {
        return List.of(Raw.PYTHON, "-c", SessionJmh.STATEMENT);
    }

    /** The docker command line, then {@code python3 -c} of the statement. */
    private static List<String> docker(String... args) {
        List<String> all = new ArrayList<>(List.of("docker"));
        all.addAll(List.of(args));
        all.add("python3");
        all.add("-c");
        all.add(SessionJmh.STATEMENT);
        return all;
    }
}
