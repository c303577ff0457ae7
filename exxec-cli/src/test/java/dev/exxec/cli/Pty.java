package dev.exxec.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The CLI in a child JVM whose stdin, stdout and stderr are a real pseudo-terminal, made by
 * util-linux's {@code script}: what a user at a terminal sees, control characters and all (the
 * terminal turns each newline into CR LF). Skips (fails under {@code EXXEC_REQUIRE_ALL=1}) without
 * {@code script}.
 */
final class Pty implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    private final Thread reader;

    private Pty(Process process) {
        this.process = process;
        InputStream in = process.getInputStream();
        // A platform thread: it blocks in a pipe read.
        this.reader = Thread.ofPlatform().daemon().name("pty-reader").start(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    synchronized (seen) {
                        seen.write(buffer, 0, n);
                        seen.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }

    /** Starts {@code exxec ARGS} in {@code cwd} on a terminal; its input ends at once. */
    static Pty start(Path cwd, String... args) throws IOException {
        Path script = Path.of("/usr/bin/script");
        if (!Files.isExecutable(script)) {
            String why = "util-linux's script (apt-get install util-linux / bsdutils) is not installed; skipping";
            if ("1".equals(System.getenv("EXXEC_REQUIRE_ALL"))) {
                fail(why.replace("skipping", "EXXEC_REQUIRE_ALL=1 forbids skipping"));
            }
            Assumptions.abort(why);
        }
        List<String> words = new ArrayList<>();
        words.add(ProcessHandle.current().info().command().orElseThrow());
        words.add("-cp");
        words.add(System.getProperty("java.class.path"));
        words.add(Main.class.getName());
        words.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-qec", ShellWords.commandLine(words), "/dev/null")
                .directory(cwd.toFile())
                .redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        return new Pty(p);
    }

    /** What the terminal showed so far. */
    String seen() {
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until the terminal shows {@code text}; false when it did not within {@code limit}. */
    boolean awaitSeen(String text, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (seen) {
            while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                seen.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Waits for the CLI to end and returns everything the terminal showed. */
    String awaitEnd(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the CLI did not end within " + limit + "; it showed:\n" + seen());
        }
        reader.join(5_000);
        return seen();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
