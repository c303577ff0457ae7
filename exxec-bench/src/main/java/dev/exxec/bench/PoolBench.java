package dev.exxec.bench;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.pool.EnvironmentPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pool}: for {@code local}, {@code sandbox} and {@code docker} (each where it works here),
 * acquiring a warm environment from an {@link EnvironmentPool}, and acquire + execute + release of a
 * trivial Python program, against making a cold environment, executing and closing it, in the same
 * run.
 */
final class PoolBench implements Bench.Benchmark {

    @Override
    public String description() {
        return "pool acquire (warm) and acquire+execute+release vs. cold create+execute+close, for local, sandbox, docker";
    }

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("benchmark", "pool");
        figures.put("rounds", rounds);
        for (String provider : List.of("local", "sandbox", "docker")) {
            try (ExecutionEnvironment probe = Exxec.environment(provider, Map.of())) {
                probe.execute(LocalExecuteBench.PROGRAM);
            } catch (RuntimeException e) {
                System.out.println(provider + ": skipped, it does not work here (" + e.getMessage() + ")");
                continue;
            }
            measure(provider, warmup, rounds, figures);
        }
        return figures;
    }

    private static void measure(String provider, int warmup, int rounds, Map<String, Object> figures) {
        List<Long> acquire = new ArrayList<>();
        List<Long> cycle = new ArrayList<>();
        try (EnvironmentPool pool = EnvironmentPool.builder(provider, Map.of())
                .minIdle(1)
                .maxSize(1)
                .build()) {
            for (int i = 0; i < warmup + rounds; i++) {
                awaitIdle(pool);
                long start = System.nanoTime();
                EnvironmentPool.Lease lease = pool.acquire();
                long acquired = System.nanoTime();
                check(lease.environment().execute(LocalExecuteBench.PROGRAM));
                lease.close();
                long released = System.nanoTime();
                if (i >= warmup) {
                    acquire.add(acquired - start);
                    cycle.add(released - start);
                }
            }
        }
        // Cold environments cost up to a second each (docker): fewer of them.
        int colds = provider.equals("docker") ? Math.max(3, Math.min(20, rounds / 10)) : rounds;
        List<Long> cold = new ArrayList<>();
        for (int i = 0; i < 1 + colds; i++) {
            long start = System.nanoTime();
            try (ExecutionEnvironment env = Exxec.environment(provider, Map.of())) {
                check(env.execute(LocalExecuteBench.PROGRAM));
            }
            if (i >= 1) {
                cold.add(System.nanoTime() - start);
            }
        }
        Measurement a = Measurement.of(provider + " pool acquire (warm)", acquire);
        Measurement c = Measurement.of(provider + " acquire+execute+release", cycle);
        Measurement k = Measurement.of(provider + " create+execute+close (cold)", cold);
        System.out.println(a.row());
        System.out.println(c.row());
        System.out.println(k.row());
        System.out.printf(
                "%s: acquire / cold %.4f, acquire+execute+release / cold %.3f%n",
                provider, a.medianMs() / k.medianMs(), c.medianMs() / k.medianMs());
        figures.put(provider + "AcquireMedianMs", a.medianMs());
        figures.put(provider + "CycleMedianMs", c.medianMs());
        figures.put(provider + "ColdMedianMs", k.medianMs());
        figures.put(provider + "CycleRatio", c.medianMs() / k.medianMs());
    }

    /** Waits (untimed) until the member came back and was reset, so the next acquire finds it warm. */
    private static void awaitIdle(EnvironmentPool pool) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (pool.stats().idle() < 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the pool's environment did not come back: " + pool.stats());
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void check(ExecutionResult r) {
        if (!r.success() || !Integer.valueOf(42).equals(r.result())) {
            throw new IllegalStateException("wrong result: " + r);
        }
    }
}
