package dev.exxec.bench;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code graalvm}: the first {@code execute} of each language in this JVM (the shared engine is
 * built, the language loaded) beside the first {@code local} execute; then a warm {@code execute} of a
 * trivial JavaScript and Python program (a fresh context each, on the shared engine) beside the same
 * programs run one-shot by {@code local} (a fresh interpreter process each), interleaved; and the
 * same graalvm calls back to back, where no spare context is ready in time.
 */
final class GraalvmExecuteBench implements Bench.Benchmark {
    private static final String JS_PROGRAM = "function main() {\n  return 42;\n}\n";

    @Override
    public String description() {
        return "graalvm warm and first execute (JS, Python) beside local one-shot execute of the same programs";
    }

    private static Interleaved.Operation check(ExecutionEnvironment env, Language language, String program) {
        return () -> {
            ExecutionResult r = env.execute(Code.of(language, program));
            if (!r.success() || !Integer.valueOf(42).equals(r.result())) {
                throw new IllegalStateException("wrong result: " + r);
            }
        };
    }

    private static double once(Interleaved.Operation op) throws Exception {
        long start = System.nanoTime();
        op.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static Measurement burst(String name, int n, Interleaved.Operation op) throws Exception {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            op.run();
            nanos[i] = System.nanoTime() - start;
        }
        return new Measurement(name, nanos);
    }

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("benchmark", "graalvm");
        figures.put("rounds", rounds);
        try (ExecutionEnvironment graal = Exxec.environment("graalvm", Map.of());
                ExecutionEnvironment local = Exxec.environment("local", Map.of())) {
            double firstJs = once(check(graal, Language.JAVASCRIPT, JS_PROGRAM));
            double firstPy = once(check(graal, Language.PYTHON, LocalExecuteBench.PROGRAM));
            double firstLocal = once(check(local, Language.PYTHON, LocalExecuteBench.PROGRAM));
            System.out.printf(
                    "first execute in this JVM: graalvm JS %.1f ms, graalvm Python %.1f ms, local Python %.1f ms%n",
                    firstJs, firstPy, firstLocal);
            figures.put("firstJsMs", firstJs);
            figures.put("firstPythonMs", firstPy);
            figures.put("firstLocalPythonMs", firstLocal);

            List<Measurement> warm = Interleaved.run(
                    warmup,
                    rounds,
                    List.of(
                            "graalvm JS execute (warm)",
                            "graalvm Python execute (warm)",
                            "local JS execute (one-shot)",
                            "local Python execute (one-shot)"),
                    List.of(
                            check(graal, Language.JAVASCRIPT, JS_PROGRAM),
                            check(graal, Language.PYTHON, LocalExecuteBench.PROGRAM),
                            check(local, Language.JAVASCRIPT, JS_PROGRAM),
                            check(local, Language.PYTHON, LocalExecuteBench.PROGRAM)));
            warm.forEach(x -> System.out.println(x.row()));
            double jsRatio = warm.get(0).medianMs() / warm.get(2).medianMs();
            double pyRatio = warm.get(1).medianMs() / warm.get(3).medianMs();
            System.out.printf("ratio JS (graalvm / local): %.3f; Python (graalvm / local): %.3f%n", jsRatio, pyRatio);
            figures.put("warmJsMedianMs", warm.get(0).medianMs());
            figures.put("warmPythonMedianMs", warm.get(1).medianMs());
            figures.put("localJsMedianMs", warm.get(2).medianMs());
            figures.put("localPythonMedianMs", warm.get(3).medianMs());
            figures.put("jsRatio", jsRatio);
            figures.put("pythonRatio", pyRatio);

            // Back to back, nothing between the calls: a spare context has no time to be built, so a
            // call waits for its context (the interleaved rounds above leave the time to build one).
            int burst = Math.max(10, rounds / 4);
            List<Measurement> tight = List.of(
                    burst("graalvm JS execute (back to back)", burst, check(graal, Language.JAVASCRIPT, JS_PROGRAM)),
                    burst(
                            "graalvm Python execute (back to back)",
                            burst,
                            check(graal, Language.PYTHON, LocalExecuteBench.PROGRAM)));
            tight.forEach(x -> System.out.println(x.row()));
            figures.put("backToBackJsMedianMs", tight.get(0).medianMs());
            figures.put("backToBackPythonMedianMs", tight.get(1).medianMs());
        }
        return figures;
    }
}
