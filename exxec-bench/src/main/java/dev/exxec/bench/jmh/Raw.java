package dev.exxec.bench.jmh;

import dev.exxec.Exxec;
import dev.exxec.spi.Availability;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The raw baselines: what a program does without exxec to get the same work done. */
final class Raw {
    /** The interpreter every benchmark uses; {@code EXXEC_BENCH_PYTHON} overrides it. */
    static final String PYTHON = System.getenv().getOrDefault("EXXEC_BENCH_PYTHON", "/usr/bin/python3");

    /** The image of the docker benchmarks (exxec's default image). */
    static final String IMAGE = System.getenv().getOrDefault("EXXEC_BENCH_IMAGE", "exxec/runtime");

    private Raw() {}

    /** Runs a command line to its end, its output discarded; throws when it fails. */
    static void spawn(List<String> command, Path cwd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit code " + p.exitValue() + ": " + command);
        }
    }

    /** Runs a command line and returns its first output line; throws when it fails. */
    static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("failed: " + command + ": " + out);
        }
        return out;
    }

    /** Fails, with the provider's own reason and fix, when a provider does not work here. */
    static void requireAvailable(String provider) {
        Availability a = Exxec.provider(provider).availability();
        if (!a.available()) {
            throw new IllegalStateException(provider + " is not available here: " + a.summary() + " (fix: " + a.fix()
                    + "); leave it out with -p provider=<the others>");
        }
    }

    /** A temporary directory, for the raw cold baselines' workspaces. */
    static Path tempDir() throws IOException {
        return Files.createTempDirectory("exxec-jmh-");
    }

    /** Deletes a directory tree that {@link #tempDir()} made. */
    static void delete(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A warm Python interpreter over pipes without exxec: each line written is a statement it
     * {@code exec}s in one namespace, and it answers with one line. The baseline of a session call.
     */
    static final class Interpreter implements AutoCloseable {
        private static final String LOOP = """
                import sys
                g = {}
                for line in sys.stdin:
                    exec(line, g)
                    sys.stdout.write('ok\\n')
                    sys.stdout.flush()
                """;
        private final Process process;
        private final BufferedWriter in;
        private final BufferedReader out;

        Interpreter() throws IOException {
            process = new ProcessBuilder(PYTHON, "-S", "-u", "-c", LOOP)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Runs one statement (one line) and waits for its answer. */
        void run(String statement) throws IOException {
            in.write(statement);
            in.write('\n');
            in.flush();
            String answer = out.readLine();
            if (!"ok".equals(answer)) {
                throw new IllegalStateException("the raw interpreter answered " + answer);
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
