package dev.exxec.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line's wall time, start-up included: {@code ./exxec --version}, {@code ./exxec run
 * examples/hello.py} and {@code ./exxec exec -- true}, each a fresh JVM as a user runs it, against
 * the same Python running the same program by hand ({@code main()} called as exxec calls it), timed
 * in the same run, in alternation.
 */
final class CliBench implements Bench.Benchmark {
    static final String HELLO = "examples/hello.py";

    /** What {@code run} does with hello.py, by hand: run the file, then its async {@code main()}. */
    static final String BASELINE = "import asyncio, runpy\n"
            + "main = runpy.run_path('" + HELLO + "')['main']\n"
            + "print(asyncio.run(main()))\n";

    @Override
    public String description() {
        return "./exxec --version, run " + HELLO + ", exec -- true (each a fresh JVM) vs. " + LocalExecuteBench.PYTHON
                + " running " + HELLO + "'s main() by hand";
    }

    @Override
    public int defaultRounds() {
        return 10;
    }

    @Override
    public int defaultWarmup() {
        return 2;
    }

    /** A command, and a piece of text its standard output must hold. */
    private record Contender(String name, List<String> command, String expected) {}

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        Path exxec = Path.of("exxec").toAbsolutePath();
        if (!Files.isExecutable(exxec) || !Files.isRegularFile(Path.of(HELLO))) {
            throw new IllegalStateException("run ./bench cli from the repository's root (no ./exxec or " + HELLO
                    + " in " + Path.of("").toAbsolutePath() + ")");
        }
        String python = LocalExecuteBench.PYTHON;
        // The CLI runs the same interpreter as the baseline, whatever python3 on PATH is.
        List<Contender> contenders = List.of(
                new Contender("./exxec --version", List.of(exxec.toString(), "--version"), "exxec "),
                new Contender(
                        "./exxec run " + HELLO,
                        List.of(exxec.toString(), "run", "--set", "python=" + python, HELLO),
                        "Hello from exxec!"),
                new Contender("./exxec exec -- true", List.of(exxec.toString(), "exec", "--", "true"), ""),
                new Contender("python3 " + HELLO + " main()", List.of(python, "-c", BASELINE), "Hello from exxec!"));
        // Once each, checked, before anything is timed (the first ./exxec may build the jar and its cache).
        for (Contender c : contenders) {
            String out = spawn(c);
            if (!out.contains(c.expected())) {
                throw new IllegalStateException(c.name() + " printed " + out + ", expected " + c.expected());
            }
        }
        List<String> names = new ArrayList<>();
        List<Interleaved.Operation> operations = new ArrayList<>();
        for (Contender c : contenders) {
            names.add(c.name());
            operations.add(() -> spawn(c));
        }
        List<Measurement> m = Interleaved.run(warmup, rounds, names, operations);
        m.forEach(x -> System.out.println(x.row()));
        double baseline = m.get(3).medianMs();
        System.out.printf(
                "ratios to python: --version %.2f, run %.2f, exec %.2f; run's overhead %.1f ms%n",
                m.get(0).medianMs() / baseline,
                m.get(1).medianMs() / baseline,
                m.get(2).medianMs() / baseline,
                m.get(1).medianMs() - baseline);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("benchmark", "cli");
        figures.put("rounds", rounds);
        figures.put("versionMedianMs", m.get(0).medianMs());
        figures.put("runMedianMs", m.get(1).medianMs());
        figures.put("execMedianMs", m.get(2).medianMs());
        figures.put("pythonMedianMs", baseline);
        figures.put("versionRatio", m.get(0).medianMs() / baseline);
        figures.put("runRatio", m.get(1).medianMs() / baseline);
        figures.put("execRatio", m.get(2).medianMs() / baseline);
        return figures;
    }

    /** Runs a contender to its end and returns its standard output; fails on a non-zero exit. */
    private static String spawn(Contender c) throws Exception {
        Process p = new ProcessBuilder(c.command())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException(c.name() + " exited " + code + "; its output: " + out);
        }
        return out;
    }
}
