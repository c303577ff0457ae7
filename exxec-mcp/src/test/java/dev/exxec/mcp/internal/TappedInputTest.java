package dev.exxec.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** stdio's lines: one message each, and none longer than the limit is ever held. */
class TappedInputTest {

    @Test
    void aLineOverTheLimitIsDroppedAsItArrivesAndTheNextOneIsRead() throws IOException {
        List<String> seen = new ArrayList<>();
        AtomicInteger tooLong = new AtomicInteger();
        // 64 MiB of one line that is never materialised: the input streams it, and so must the reader
        InputStream huge = new InputStream() {
            long left = 64L << 20;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        InputStream in = new SequenceInputStream(
                new SequenceInputStream(new ByteArrayInputStream(bytes("{\"a\":1}\r\n")), huge),
                new ByteArrayInputStream(bytes("\n{\"b\":2}\n")));
        try (TappedInput input = new TappedInput(
                in,
                1024,
                line -> {
                    seen.add(line);
                    return line;
                },
                tooLong::incrementAndGet)) {
            String out = new String(input.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
            assertThat(input.ended().getCount()).isZero();
        }
        assertThat(seen).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(tooLong).hasValue(1);
    }

    @Test
    void anOverLongLineCutByTheEndOfInputIsReportedAndEndsTheInput() throws IOException {
        AtomicInteger tooLong = new AtomicInteger();
        try (TappedInput input = new TappedInput(
                new ByteArrayInputStream(bytes("{\"a\":1}\n" + "y".repeat(100))),
                10,
                l -> l,
                tooLong::incrementAndGet)) {
            assertThat(new String(input.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n");
        }
        assertThat(tooLong).hasValue(1);
    }

    @Test
    void aLineOfExactlyTheLimitPasses() throws IOException {
        AtomicInteger tooLong = new AtomicInteger();
        String ten = "0123456789";
        try (TappedInput input =
                new TappedInput(new ByteArrayInputStream(bytes(ten + "\n")), 10, l -> l, tooLong::incrementAndGet)) {
            assertThat(new String(input.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(ten + "\n");
        }
        assertThat(tooLong).hasValue(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
