package dev.exxec.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hostile code in a test: a process that makes two paths change places as fast as it can, atomically
 * ({@code renameat2} with {@code RENAME_EXCHANGE}), so that either name always exists and a walk never
 * finds a gap it could fill. A thread of the JVM cannot do this (the JDK has no exchange), and a swap
 * through plain renames leaves gaps that the tree under test fills, after which the swap gets stuck.
 */
final class Exchanger implements AutoCloseable {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    /**
     * Exchanges argv[1] and argv[2]; with argv[3], whenever one of them was removed, makes argv[1] a
     * new directory (with a file in it) and argv[2] a link to argv[3] again.
     */
    private static final String PROGRAM = """
            import ctypes, os, shutil, sys
            renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
            a, b = sys.argv[1], sys.argv[2]
            target = sys.argv[3] if len(sys.argv) > 3 else None
            if renameat2(-100, a.encode(), -100, b.encode(), 2) != 0:
                sys.exit("cannot exchange: errno %d" % ctypes.get_errno())
            print("exchanging", flush=True)
            while True:
                if renameat2(-100, a.encode(), -100, b.encode(), 2) == 0 or target is None:
                    continue
                try:
                    if os.path.isdir(b) and not os.path.islink(b):
                        shutil.rmtree(b)
                    if not os.path.lexists(b):
                        os.symlink(target, b)
                    if os.path.islink(a):
                        os.unlink(a)
                    if not os.path.lexists(a):
                        os.mkdir(a)
                        open(os.path.join(a, "file"), "w").close()
                except OSError:
                    pass
            """;

    private final Process process;

    /** Starts exchanging {@code a} and {@code b} (both must exist); skips where that cannot be done. */
    Exchanger(Path a, Path b) throws IOException {
        this(List.of(a.toString(), b.toString()));
    }

    /**
     * Starts exchanging directory {@code a} and link {@code b}, making them again (a new directory at
     * {@code a}, a link to {@code target} at {@code b}) whenever the code under test removed one.
     */
    Exchanger(Path a, Path b, Path target) throws IOException {
        this(List.of(a.toString(), b.toString(), target.toString()));
    }

    private Exchanger(List<String> arguments) throws IOException {
        assumeTrue(Files.isExecutable(PYTHON), "the exchanging process needs " + PYTHON);
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", PROGRAM));
        command.addAll(arguments);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String first = new String(process.getInputStream().readNBytes("exchanging\n".length()), StandardCharsets.UTF_8);
        assumeTrue(first.equals("exchanging\n"), () -> "renameat2 exchange is not available here: " + first);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
