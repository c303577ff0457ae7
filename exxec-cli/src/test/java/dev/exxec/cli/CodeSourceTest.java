package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program is read bounded: standard input or a file without end ({@code head -c 2200M /dev/zero |
 * exxec run -}, {@code exxec run /dev/zero}) ended in an uncaught {@link OutOfMemoryError}; now it
 * is a usage error naming the limit after reading at most one byte past it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodeSourceTest {

    @TempDir
    Path dir;

    /** Zeros without end, counting what was read; a read far past the limit fails the test. */
    private static final class Endless extends InputStream {
        final AtomicLong read = new AtomicLong();

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read.addAndGet(len) > 4L * CodeSource.LIMIT) {
                throw new IOException("read " + read.get() + " bytes of an endless input: it was not bounded");
            }
            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
            return len;
        }
    }

    private static Cli.Outcome run(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int code = Main.run(args, in, o, e);
            return new Cli.Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    private static void assertUsageError(Cli.Outcome o, String... fragments) {
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(ExitCodes.EXXEC_FAILED);
        assertThat(o.out()).as(o.toString()).isEmpty();
        assertThat(o.err()).as(o.toString()).startsWith("exxec: ").endsWith("\n");
        assertThat(o.err().lines()).as(o.toString()).hasSize(1);
        assertThat(o.err()).as(o.toString()).contains(fragments);
    }

    @Test
    void endlessStandardInputIsRefusedNamingTheLimit() {
        Endless in = new Endless();

        Cli.Outcome o = run(in, "run", "-");

        assertUsageError(o, "standard input holds more than 16 MiB");
        assertThat(in.read.get()).isLessThanOrEqualTo(CodeSource.LIMIT + 64L * 1024);
    }

    @Test
    void anEndlessFileIsRefusedNamingTheLimit() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "/dev/zero is readable");

        assertUsageError(run(InputStream.nullInputStream(), "run", "/dev/zero"), "/dev/zero holds more than 16 MiB");
    }

    @Test
    void aHugeFileIsRefusedAndOneAtTheLimitIsRead() throws IOException {
        Path huge = dir.resolve("huge.py");
        try (OutputStream o = Files.newOutputStream(huge)) {
            byte[] line = "x = 1\n".getBytes(StandardCharsets.US_ASCII);
            for (long n = 0; n <= CodeSource.LIMIT / line.length; n++) {
                o.write(line);
            }
        }
        assertUsageError(run(InputStream.nullInputStream(), "run", huge.toString()), huge + " holds more than 16 MiB");

        byte[] exact = new byte[CodeSource.LIMIT];
        java.util.Arrays.fill(exact, (byte) ' ');
        exact[0] = 'x';
        Path atLimit = Files.write(dir.resolve("limit.py"), exact);
        assertThat(CodeSource.read(atLimit.toString(), InputStream.nullInputStream())
                        .text())
                .hasSize(CodeSource.LIMIT);
    }

    /** A FIFO with a writer is input like standard input: {@code exxec run <(generate)} works. */
    @Test
    void aFifoWithAWriterIsRead() throws Exception {
        Path fifo = dir.resolve("program.py");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo is not installed");
            return;
        }
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo made the FIFO");
        Thread writer = Thread.ofPlatform().daemon(true).start(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                o.write("_result = 41 + 1\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        assertThat(CodeSource.read(fifo.toString(), InputStream.nullInputStream())
                        .text())
                .isEqualTo("_result = 41 + 1\n");
        writer.join(10_000);
    }

    /**
     * A program that is not UTF-8 is refused, naming where: it used to run with each bad byte turned
     * into U+FFFD, so the interpreter ran other text than the file holds.
     */
    @Test
    void aProgramThatIsNotUtf8IsRefusedNamingTheOffset() throws IOException {
        Path latin1 =
                Files.write(dir.resolve("latin1.py"), "print('caf\u00e9')\n".getBytes(StandardCharsets.ISO_8859_1));

        assertUsageError(
                run(InputStream.nullInputStream(), "run", latin1.toString()),
                latin1 + " is not UTF-8 text",
                "offset 10",
                "line 1");
        assertUsageError(
                run(new ByteArrayInputStream(new byte[] {'x', '=', (byte) 0xff}), "run", "-"),
                "standard input is not UTF-8 text",
                "offset 2");
    }
}
