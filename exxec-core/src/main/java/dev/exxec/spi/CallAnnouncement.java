package dev.exxec.spi;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The line a run script ({@code run.sh} of the docker and ssh providers) writes first on standard
 * error, before it becomes the call's command: {@code <RS>exxec-call:PID START}, the call's pid and
 * that pid's start time in clock ticks since boot, which the provider needs to kill the call later.
 */
public final class CallAnnouncement {
    /** The line's beginning, RS included. */
    public static final byte[] PREFIX = "\u001eexxec-call:".getBytes(StandardCharsets.US_ASCII);

    private CallAnnouncement() {}

    /** The pid and start time of an announcement line (without its line feed), or null when it is none. */
    public static long @Nullable [] parse(byte[] line) {
        if (line.length <= PREFIX.length) {
            return null;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (line[i] != PREFIX[i]) {
                return null;
            }
        }
        String[] parts = new String(line, PREFIX.length, line.length - PREFIX.length, StandardCharsets.US_ASCII)
                .replace("\r", "")
                .trim()
                .split(" ");
        try {
            return new long[] {Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : 0};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Waits a few seconds at most for a call's announcement before its input is sent (a program must
     * not read input meant for it before it runs); without one in time the input goes anyway.
     *
     * @throws InterruptedIOException when the waiting thread is interrupted
     */
    public static void awaitBriefly(Future<?> announcement) throws InterruptedIOException {
        try {
            announcement.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            // no announcement: send the input anyway
        }
    }
}
