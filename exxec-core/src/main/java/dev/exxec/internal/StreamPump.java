package dev.exxec.internal;

import dev.exxec.StdStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads one output stream of a running process until end of file: keeps it in an {@link
 * OutputCapture}, hands it on line by line (or as the unfinished line so far, when the writer pauses),
 * and, on standard output of a driver that reports through a marker line, takes that line out.
 *
 * <p>Runs on its own (virtual) thread; {@link #record()} and the capture are complete once {@link
 * #run()} returned.
 */
public final class StreamPump implements Runnable {
    /** An unfinished line is handed on once it reaches this size, so memory stays bounded. */
    private static final int MAX_PENDING = 64 * 1024;

    private static final byte RECORD_SEPARATOR = 0x1e;

    private final InputStream in;
    private final StdStream stream;
    private final @Nullable OutputCapture capture;
    private final @Nullable BiConsumer<StdStream, String> listener;
    private final byte @Nullable [] marker;
    private final int recordLimit;
    private final @Nullable Runnable onLimit;
    private final ByteBuf pending = new ByteBuf();
    private volatile byte @Nullable [] record;
    private boolean limitReported;

    /**
     * @param in the stream to drain
     * @param stream which stream it is
     * @param capture where the kept output goes, or {@code null} to hand everything to the listener
     * @param listener receives each piece of kept output as text, or {@code null}
     * @param marker the driver's result marker (standard output only), or {@code null}
     * @param recordLimit the largest result record accepted after a marker
     * @param onLimit called once when the capture first overflows, or {@code null}
     */
    public StreamPump(
            InputStream in,
            StdStream stream,
            @Nullable OutputCapture capture,
            @Nullable BiConsumer<StdStream, String> listener,
            byte @Nullable [] marker,
            int recordLimit,
            @Nullable Runnable onLimit) {
        this.in = in;
        this.stream = stream;
        this.capture = capture;
        this.listener = listener;
        this.marker = marker;
        this.recordLimit = recordLimit;
        this.onLimit = onLimit;
    }

    /** The last result record found after the marker, without marker and line feed; null if none. */
    public byte @Nullable [] record() {
        return record;
    }

    /**
     * Whether a result record came that was larger than the record limit: it was dropped whole, never
     * passed on as output (where exxec's marker would have shown), and no record counts.
     */
    public boolean recordTooLarge() {
        return recordTooLarge;
    }

    private volatile boolean recordTooLarge;
    /** In the middle of a result record too large to keep: drop what comes up to its line's end. */
    private boolean discarding;

    @Override
    public void run() {
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                if (marker == null && listener == null && capture != null && capture.truncated()) {
                    capture.append(buffer, 0, n); // nothing more to keep or tell: just count and drain
                    continue;
                }
                pending.append(buffer, 0, n);
                if (discarding) {
                    skipDiscarded();
                }
                drainLines();
                if (pending.length() > 0 && (pending.length() >= MAX_PENDING || in.available() == 0)) {
                    flushPartial();
                }
            }
        } catch (IOException e) {
            // The stream was closed under us (process killed, streams force-closed): end quietly.
        }
        if (pending.length() > 0 && !discarding) {
            line(pending.length(), false);
        }
    }

    /** Drops the rest of a result record too large to keep, up to and with its line feed. */
    private void skipDiscarded() {
        int newline = pending.indexOf((byte) '\n', 0);
        if (newline >= 0) {
            pending.consume(newline + 1);
            discarding = false;
        } else {
            pending.consume(pending.length());
        }
    }

    private void drainLines() {
        int newline;
        while ((newline = pending.indexOf((byte) '\n', 0)) >= 0) {
            line(newline + 1, true);
        }
    }

    /** Handles the first {@code length} bytes of pending as one line and consumes them. */
    private void line(int length, boolean terminated) {
        if (marker != null) {
            int at = pending.indexOf(marker, length);
            if (at >= 0) {
                emit(pending.array(), pending.offset(), at);
                int from = pending.offset() + at + marker.length;
                int to = pending.offset() + length - (terminated ? 1 : 0);
                if (to - from > recordLimit) {
                    record = null;
                    recordTooLarge = true;
                } else {
                    record = Arrays.copyOfRange(pending.array(), from, Math.max(from, to));
                }
                pending.consume(length);
                return;
            }
        }
        emit(pending.array(), pending.offset(), length);
        pending.consume(length);
    }

    /** Hands on an unfinished line, keeping back what may be the start of a result record. */
    private void flushPartial() {
        int length = pending.length();
        if (marker != null) {
            int separator = pending.indexOf(RECORD_SEPARATOR, 0);
            if (separator >= 0 && length - separator <= recordLimit + marker.length) {
                length = separator;
            } else if (separator >= 0 && startsWithMarker(separator)) {
                // A result record larger than the limit: what came before it is output, the record is
                // dropped whole (never output) and reported as too large.
                emit(pending.array(), pending.offset(), separator);
                pending.consume(length);
                record = null;
                recordTooLarge = true;
                discarding = true;
                return;
            }
        }
        length = Utf8.boundary(pending.array(), pending.offset(), length);
        if (length > 0) {
            emit(pending.array(), pending.offset(), length);
            pending.consume(length);
        }
    }

    private boolean startsWithMarker(int at) {
        if (pending.length() - at < marker.length) {
            return false;
        }
        for (int i = 0; i < marker.length; i++) {
            if (pending.array()[pending.offset() + at + i] != marker[i]) {
                return false;
            }
        }
        return true;
    }

    private void emit(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        int kept = capture == null ? length : capture.append(bytes, offset, length);
        if (kept > 0 && listener != null) {
            listener.accept(
                    stream, Utf8.decode(bytes, offset, kept < length ? Utf8.boundary(bytes, offset, kept) : kept));
        }
        if (kept < length && !limitReported) {
            limitReported = true;
            if (onLimit != null) {
                onLimit.run();
            }
        }
    }
}
