package dev.exxec.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an open that may meet a FIFO (a read-only or write-only open: the kernel blocks such an open
 * until the other end of the FIFO is opened too) without letting the caller hang on it.
 *
 * <p>The open runs on a platform thread of its own. When it has not returned after {@link
 * #RELEASE_AFTER} (an open of a regular file takes microseconds), the caller opens the same entry for
 * reading and writing ({@link Release}): such an open of a FIFO never blocks on Linux, and it is the
 * other end the blocked open waits for, so that open returns at once and the caller then sees that it
 * holds no regular file. When that does not help within {@link #GIVE_UP_AFTER} (the FIFO was renamed
 * or removed meanwhile, so its name no longer leads to it, or this JVM may not open it for writing),
 * the caller gets an {@link IOException} and the thread stays blocked until someone opens the FIFO;
 * what it opened then is closed at once. At most {@link #STUCK_LIMIT} such threads are left: beyond
 * that, opens that need this guard are refused at once, so that hostile code cannot make this JVM
 * collect threads.
 *
 * <p>Only the fallbacks need this: the race-free file access opens regular files for reading and
 * writing first, which never blocks, and directories through {@code name/.}, which fails on a FIFO
 * instead of waiting.
 */
public final class FifoGuard {
    /** How long an open may take before the caller releases it. */
    static final Duration RELEASE_AFTER = Duration.ofMillis(20);
    /** How long the caller waits, releasing again and again, before it gives up. */
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(2);
    /** How many opens may stay blocked, each on a thread of its own, before new ones are refused. */
    static final int STUCK_LIMIT = 16;

    private static final AtomicInteger STUCK = new AtomicInteger();
    private static final ExecutorService OPENERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("exxec-fifo-guard-", 0).daemon(true).factory());

    private FifoGuard() {}

    /** An open that may block; returns what must be closed. */
    @FunctionalInterface
    public interface Opening<T extends Closeable> {
        T open() throws IOException;
    }

    /** Opens the entry the guarded open waits on for reading and writing, and closes it again at once. */
    @FunctionalInterface
    public interface Release {
        void release() throws IOException;
    }

    /**
     * Runs {@code opening}, releasing it while it blocks; returns what it opened.
     *
     * @param what the entry, for the message when the open is given up
     * @throws IOException what the open threw, or that it stayed blocked
     */
    public static <T extends Closeable> T open(String what, Opening<T> opening, Release release) throws IOException {
        if (STUCK.get() >= STUCK_LIMIT) {
            throw new IOException("refused to open " + what + ": " + STUCK_LIMIT
                    + " earlier opens are still blocked on FIFOs that took a file's place");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        OPENERS.execute(() -> {
            try {
                T opened = opening.open();
                if (!result.complete(opened)) {
                    // The caller gave up: nobody else will close it.
                    closeQuietly(opened);
                    STUCK.decrementAndGet();
                }
            } catch (Throwable e) {
                if (!result.completeExceptionally(e)) {
                    STUCK.decrementAndGet();
                }
            }
        });
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return result.get(Math.min(left, RELEASE_AFTER.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() - deadline >= 0) {
                    if (giveUp(result)) {
                        throw new IOException("could not open " + what + " within " + GIVE_UP_AFTER.toSeconds()
                                + " s: a FIFO took its place and was hidden or locked before it could be released");
                    }
                    continue; // it completed meanwhile: take its outcome
                }
                try {
                    release.release();
                } catch (IOException | RuntimeException notReleased) {
                    // Not there any more, or not ours to open: keep waiting, then give up.
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException("could not open " + what, e.getCause());
            } catch (InterruptedException e) {
                if (!giveUp(result) && !result.isCompletedExceptionally()) {
                    closeQuietly(result.join());
                }
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while opening " + what);
            }
        }
    }

    /** How many given-up opens are still blocked. */
    static int stuck() {
        return STUCK.get();
    }

    /** Marks the open abandoned; false when it completed first (then its outcome is the caller's). */
    private static boolean giveUp(CompletableFuture<?> result) {
        STUCK.incrementAndGet();
        if (result.completeExceptionally(new TimeoutException())) {
            return true;
        }
        STUCK.decrementAndGet();
        return false;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing was read or written through it
        }
    }
}
