package dev.exxec.bench;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.local.LocalEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code local} one-shot {@code execute} of a trivial Python program against starting {@code
 * python3} on the same program by hand, from this JVM, reading its output the same way.
 */
final class LocalExecuteBench implements Bench.Benchmark {
    static final String PYTHON = System.getenv().getOrDefault("EXXEC_BENCH_PYTHON", "/usr/bin/python3");
    static final String PROGRAM = "def main():\n    return 42\n";

    @Override
    public String description() {
        return "local execute of a trivial Python program vs. spawning " + PYTHON + " on it directly";
    }

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        Path dir = Files.createTempDirectory("exxec-bench-");
        Path program = Files.writeString(dir.resolve("program.py"), PROGRAM);
        try (ExecutionEnvironment env =
                LocalEnvironment.builder().python(PYTHON).build()) {
            List<Measurement> m = Interleaved.run(
                    warmup,
                    rounds,
                    List.of("exxec local execute", "raw spawn " + PYTHON),
                    List.of(
                            () -> {
                                ExecutionResult r = env.execute(PROGRAM);
                                if (!r.success() || !Integer.valueOf(42).equals(r.result())) {
                                    throw new IllegalStateException("wrong result: " + r);
                                }
                            },
                            () -> spawn(program)));
            m.forEach(x -> System.out.println(x.row()));
            double ratio = m.get(0).medianMs() / m.get(1).medianMs();
            System.out.printf("ratio (exxec / raw): %.3f%n", ratio);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "local");
            figures.put("rounds", rounds);
            figures.put("exxecMedianMs", m.get(0).medianMs());
            figures.put("rawMedianMs", m.get(1).medianMs());
            figures.put("ratio", ratio);
            return figures;
        } finally {
            Files.deleteIfExists(program);
            Files.deleteIfExists(dir);
        }
    }

    private static void spawn(Path program) throws Exception {
        Process p = new ProcessBuilder(PYTHON, program.toString()).start();
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        p.getErrorStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("python failed");
        }
    }
}
