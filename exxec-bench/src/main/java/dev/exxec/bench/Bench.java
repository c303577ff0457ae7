package dev.exxec.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of {@code ./bench NAME [--rounds N] [--warmup N]}. Each benchmark prints a table for
 * people, and as its last line one JSON object of medians and ratios for scripts.
 */
public final class Bench {
    private Bench() {}

    /** A benchmark. */
    interface Benchmark {
        String description();

        /** Runs and returns the figures of its JSON line. */
        Map<String, Object> run(int warmup, int rounds) throws Exception;

        /** Rounds when {@code --rounds} is not given. */
        default int defaultRounds() {
            return 200;
        }

        /** Warm-up rounds when {@code --warmup} is not given. */
        default int defaultWarmup() {
            return 20;
        }
    }

    static final Map<String, Benchmark> BENCHMARKS = new TreeMap<>(Map.of(
            "local", new LocalExecuteBench(),
            "sandbox", new SandboxExecuteBench(),
            "docker", new DockerExecuteBench(),
            "pool", new PoolBench(),
            "session", new SessionBench(),
            "graalvm", new GraalvmExecuteBench(),
            "cli", new CliBench()));

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !BENCHMARKS.containsKey(args[0])) {
            System.err.println("usage: ./bench NAME [--rounds N] [--warmup N]");
            BENCHMARKS.forEach((name, b) -> System.err.println("  " + name + "  " + b.description()));
            System.err.println("  jmh [JMH options]  the JMH benchmarks (./bench jmh -l lists them)");
            System.exit(2);
        }
        Benchmark benchmark = BENCHMARKS.get(args[0]);
        int rounds = option(args, "--rounds", benchmark.defaultRounds());
        int warmup = option(args, "--warmup", benchmark.defaultWarmup());
        Map<String, Object> figures = benchmark.run(warmup, rounds);
        System.out.println(json(figures));
        System.exit(0); // no lingering non-daemon threads keep a benchmark JVM alive
    }

    private static int option(String[] args, String name, int fallback) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? Integer.parseInt(args[i + 1]) : fallback;
    }

    static String json(Map<String, Object> figures) {
        StringBuilder out = new StringBuilder("{");
        figures.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(k).append("\":");
            if (v instanceof Double d) {
                out.append(String.format(Locale.ROOT, "%.4f", d));
            } else if (v instanceof Number || v instanceof Boolean) {
                out.append(v);
            } else {
                out.append('"')
                        .append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
            }
        });
        return out.append('}').toString();
    }
}
