package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.StdStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StreamPumpTest {
    private static final String MARKER = "\u001eexxec-result:abcdefghijklmnopqrstuvwx:";

    private final List<String> pieces = new CopyOnWriteArrayList<>();

    private StreamPump pump(InputStream in, OutputCapture capture, boolean marker) {
        return new StreamPump(
                in,
                StdStream.STDOUT,
                capture,
                (stream, text) -> pieces.add(text),
                marker ? MARKER.getBytes(StandardCharsets.UTF_8) : null,
                1 << 20,
                null);
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void handsOnLinesWithTheirLineBreaks() {
        OutputCapture capture = new OutputCapture(1 << 20);
        pump(bytes("one\ntwo\nthree"), capture, false).run();
        assertThat(String.join("", pieces)).isEqualTo("one\ntwo\nthree");
        assertThat(pieces).contains("one\n", "two\n");
        assertThat(capture.text()).isEqualTo("one\ntwo\nthree");
    }

    @Test
    void takesTheRecordOutEvenAfterUnterminatedOutput() {
        OutputCapture capture = new OutputCapture(1 << 20);
        StreamPump pump = pump(bytes("printed\npartial" + MARKER + "{\"ok\":true}\n"), capture, true);
        pump.run();
        assertThat(capture.text()).isEqualTo("printed\npartial");
        assertThat(new String(pump.record(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
        assertThat(String.join("", pieces)).doesNotContain("exxec-result");
    }

    /**
     * A result record larger than the record limit is dropped whole and said to be too large: neither
     * the record nor exxec's marker ever shows as output (the second review saw a 20 MB result come
     * back as standard output, marker and all, with the call reported a success without a result).
     */
    @Test
    void aRecordLargerThanTheLimitIsNeverOutput() throws Exception {
        String big = MARKER + "{\"ok\":true,\"value\":\"" + "x".repeat(3 << 20) + "\"}\n";
        for (boolean slowly : new boolean[] {false, true}) {
            pieces.clear();
            OutputCapture capture = new OutputCapture(16 << 20);
            InputStream in = bytes("before\n" + big + "after\n");
            StreamPump pump = pump(
                    slowly
                            ? new java.io.FilterInputStream(in) {
                                @Override
                                public int read(byte[] b, int off, int len) throws java.io.IOException {
                                    return super.read(b, off, Math.min(len, 4096)); // arrives in pieces, as from a pipe
                                }

                                @Override
                                public int available() {
                                    return 0;
                                }
                            }
                            : in,
                    capture,
                    true);
            pump.run();
            assertThat(pump.record()).as("slowly=%s", slowly).isNull();
            assertThat(capture.text()).as("slowly=%s", slowly).isEqualTo("before\nafter\n");
            assertThat(String.join("", pieces)).doesNotContain("exxec-result");
            assertThat(pump.recordTooLarge()).as("slowly=%s", slowly).isTrue();
        }
    }

    @Test
    void aMarkerWithAnotherNonceIsOrdinaryOutput() {
        OutputCapture capture = new OutputCapture(1 << 20);
        String fake = "\u001eexxec-result:zzzzzzzzzzzzzzzzzzzzzzzz:{\"ok\":true,\"value\":666}\n";
        StreamPump pump = pump(bytes(fake + MARKER + "{\"ok\":true,\"value\":1}\n"), capture, true);
        pump.run();
        assertThat(capture.text()).isEqualTo(fake);
        assertThat(new String(pump.record(), StandardCharsets.UTF_8)).contains("\"value\":1");
    }

    @Test
    void anUnfinishedLineIsHandedOnWhenTheWriterPauses() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream reader = new PipedInputStream(writer, 1 << 16);
        OutputCapture capture = new OutputCapture(1 << 20);
        Thread t = Thread.ofVirtual().start(pump(reader, capture, true));
        writer.write("progress 50%".getBytes(StandardCharsets.UTF_8));
        writer.flush();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pieces.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(pieces).containsExactly("progress 50%");
        writer.write(("\n" + MARKER + "{}\n").getBytes(StandardCharsets.UTF_8));
        writer.close();
        t.join();
        assertThat(capture.text()).isEqualTo("progress 50%\n");
    }

    @Test
    void keepsTheFirstBytesUpToTheLimitAndFlagsTheRest() {
        OutputCapture capture = new OutputCapture(10);
        pump(bytes("0123456789abcdef\nmore\n"), capture, false).run();
        assertThat(capture.text()).isEqualTo("0123456789");
        assertThat(capture.truncated()).isTrue();
        assertThat(capture.total()).isEqualTo(22);
        assertThat(String.join("", pieces)).isEqualTo("0123456789");
    }

    @Test
    void aLimitInsideACharacterDropsTheCutCharacter() {
        OutputCapture capture = new OutputCapture(5);
        pump(bytes("abcdé\n"), capture, false).run(); // é is two bytes: the 5th byte starts it
        assertThat(capture.text()).isEqualTo("abcd");
    }

    @Test
    void invalidUtf8IsReplacedNotFatal() {
        OutputCapture capture = new OutputCapture(100);
        byte[] data = {'o', 'k', (byte) 0xff, (byte) 0xfe, '\n'};
        pump(new ByteArrayInputStream(data), capture, false).run();
        assertThat(capture.text()).isEqualTo("ok\uFFFD\uFFFD\n");
    }

    @Test
    void aClosedStreamEndsThePumpQuietly() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Stream closed");
            }
        };
        OutputCapture capture = new OutputCapture(100);
        pump(failing, capture, false).run();
        assertThat(capture.text()).isEmpty();
    }
}
