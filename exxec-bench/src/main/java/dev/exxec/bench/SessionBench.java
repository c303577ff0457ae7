package dev.exxec.bench;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.local.LocalEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code session}: on {@code local}, a session {@code execute} of a trivial statement against a
 * one-shot {@code execute} of the same, in the same run; then session throughput with 8 callers,
 * each on a session of its own.
 */
final class SessionBench implements Bench.Benchmark {

    @Override
    public String description() {
        return "local session execute of a trivial statement vs. one-shot execute; throughput of 8 callers";
    }

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("benchmark", "session");
        figures.put("rounds", rounds);
        try (ExecutionEnvironment env = LocalEnvironment.builder()
                        .python(LocalExecuteBench.PYTHON)
                        .build();
                CodeSession session = env.session(Language.PYTHON)) {
            session.execute("x = 0");
            List<Measurement> m = Interleaved.run(
                    warmup,
                    rounds,
                    List.of("session execute (x += 1)", "one-shot execute (_result = 1)"),
                    List.of(() -> check(session.execute("x += 1"), null), () -> check(env.execute("_result = 1"), 1)));
            m.forEach(x -> System.out.println(x.row()));
            double ratio = m.get(0).medianMs() / m.get(1).medianMs();
            System.out.printf("ratio (session / one-shot): %.4f%n", ratio);
            figures.put("sessionMedianMs", m.get(0).medianMs());
            figures.put("oneShotMedianMs", m.get(1).medianMs());
            figures.put("ratio", ratio);

            int callers = 8;
            int perCaller = Math.max(50, rounds);
            List<CodeSession> sessions = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < callers; i++) {
                    CodeSession s = env.session(Language.PYTHON);
                    check(s.execute("x = 0"), null);
                    sessions.add(s);
                }
                long start = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (CodeSession s : sessions) {
                    done.add(threads.submit(() -> {
                        for (int k = 0; k < perCaller; k++) {
                            check(s.execute("x += 1"), null);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double perSecond = callers * perCaller / seconds;
                System.out.printf(
                        "%d callers x %d session executions: %.0f executions/s on %d cores%n",
                        callers, perCaller, perSecond, Runtime.getRuntime().availableProcessors());
                figures.put("eightCallersPerSecond", perSecond);
            } finally {
                sessions.forEach(CodeSession::close);
            }
        }
        return figures;
    }

    private static void check(ExecutionResult r, Object expected) {
        if (!r.success() || (expected != null && !expected.equals(r.result()))) {
            throw new IllegalStateException("wrong result: " + r);
        }
    }
}
