package dev.exxec.ssh.internal;

import dev.exxec.spi.CallAnnouncement;
import dev.exxec.spi.ExecProcess;
import dev.exxec.spi.Pipe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.jspecify.annotations.Nullable;

/**
 * One exec channel, as {@link dev.exxec.spi.ExecutionRun} sees a process: standard output and error
 * as the channel's two streams (one stream on a terminal), standard input, the exit status or the
 * signal from the server.
 *
 * <p>The command runs through the host's {@code run.sh}, which announces its pid and start time as
 * the first line of standard error; that line is taken out here and kept for {@link #kill()}, which
 * runs {@code kill.sh} on the host: closing a channel does not end what it started.
 */
public final class RemoteExec implements ExecProcess {
    /** Ends what a call left on the host, given its root pid and the root's start time. */
    public interface Killer {
        /** Kills the call's processes now and returns when they are gone. */
        void kill(long pid, long startTime);

        /** The call ended normally: what it left goes soon, without holding up the caller. */
        void release(long pid, long startTime);

        /** For channels that are not calls: nothing to end. */
        Killer NONE = new Killer() {
            @Override
            public void kill(long pid, long startTime) {}

            @Override
            public void release(long pid, long startTime) {}
        };
    }

    private static final byte[] OUTPUT_START = "\u001eexxec-out".getBytes(StandardCharsets.US_ASCII);
    private static final int PIPE = 64 * 1024;
    private static final Map<String, Integer> SIGNALS = Map.ofEntries(
            Map.entry("HUP", 1),
            Map.entry("INT", 2),
            Map.entry("QUIT", 3),
            Map.entry("ILL", 4),
            Map.entry("TRAP", 5),
            Map.entry("ABRT", 6),
            Map.entry("BUS", 7),
            Map.entry("FPE", 8),
            Map.entry("KILL", 9),
            Map.entry("USR1", 10),
            Map.entry("SEGV", 11),
            Map.entry("USR2", 12),
            Map.entry("PIPE", 13),
            Map.entry("ALRM", 14),
            Map.entry("TERM", 15),
            Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25));

    private final ChannelExec channel;
    private final Killer killer;
    private final boolean tty;
    private final CompletableFuture<long @Nullable []> announcement = new CompletableFuture<>();
    private final Filtered out;
    private final @Nullable Filtered err;
    private final OutputStream stdin;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile boolean killedByUs;

    private RemoteExec(ChannelExec channel, Killer killer, boolean tty, boolean announces) {
        this.channel = channel;
        this.killer = killer;
        this.tty = tty;
        if (!announces) {
            announcement.complete(null);
        }
        // On a terminal, typed input is echoed: sent before run.sh announced the call, its echo would
        // come first and hide the announcement. So a terminal's input waits for it.
        this.stdin = tty && announces ? afterAnnouncement(channel.getInvertedIn()) : channel.getInvertedIn();
        channel.addChannelListener(new ChannelListener() {
            @Override
            public void channelStateChanged(Channel c, String hint) {
                if (hasEnded()) {
                    ended.complete(null);
                }
            }

            @Override
            public void channelClosed(Channel c, Throwable reason) {
                ended.complete(null);
            }
        });
        if (hasEnded()) {
            ended.complete(null); // it ended before the listener was there
        }
        // What the login shell's start-up files print comes before run.sh's first words: dropped.
        if (tty) {
            this.out = new Filtered(channel.getInvertedOut(), announces ? CallAnnouncement.PREFIX : null, true);
            this.err = null;
        } else {
            this.out = new Filtered(channel.getInvertedOut(), announces ? OUTPUT_START : null, false);
            this.err = new Filtered(channel.getInvertedErr(), announces ? CallAnnouncement.PREFIX : null, true);
        }
    }

    /**
     * Opens a channel for a command line and starts it.
     *
     * @param pty a terminal's type and size, or null
     * @param announces whether the command is run.sh, whose first line announces the call
     */
    public static RemoteExec start(
            Link link, String commandLine, Link.@Nullable Pty pty, boolean announces, Killer killer, Duration timeout)
            throws IOException {
        ChannelExec channel = link.exec(commandLine, pty, timeout);
        return new RemoteExec(channel, killer, pty != null, announces);
    }

    /**
     * One of the channel's streams, passed on as it comes once its first line was seen: the line
     * run.sh starts it with ({@code marker}), which is taken out; what came before it is the login
     * shell's and dropped (or kept, when run.sh never spoke). Without a marker, passed on whole.
     */
    private final class Filtered {
        private final InputStream in;
        private final byte @Nullable [] marker;
        private final boolean announces;
        private final Pipe pipe = new Pipe(PIPE);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final ByteArrayOutputStream before = new ByteArrayOutputStream();
        private boolean seen;

        Filtered(InputStream in, byte @Nullable [] marker, boolean announces) {
            this.in = in;
            this.marker = marker;
            this.announces = announces;
            this.seen = marker == null;
            if (seen && announces) {
                announcement.complete(null);
            }
            Thread.ofVirtual().name("exxec-ssh-stream").start(this::pump);
        }

        InputStream source() {
            return marker == null && !announces ? in : pipe.source();
        }

        private void pump() {
            if (marker == null && !announces) {
                return; // read directly
            }
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    take(chunk, n);
                }
            } catch (IOException e) {
                // the channel closed, or the reader went away
            } finally {
                end();
            }
        }

        private void take(byte[] chunk, int length) throws IOException {
            OutputStream sink = pipe.sink();
            int i = 0;
            while (i < length && !seen) {
                byte b = chunk[i++];
                if (b != '\n') {
                    line.write(b);
                    if (line.size() > 4096) { // no marker is that long: a line of the shell's
                        keepBefore(line.toByteArray(), false);
                        line.reset();
                    }
                    continue;
                }
                byte[] text = line.toByteArray();
                line.reset();
                if (startsWith(text, marker)) {
                    seen = true;
                    before.reset();
                    if (announces) {
                        announcement.complete(CallAnnouncement.parse(text));
                    }
                } else {
                    keepBefore(text, true);
                }
            }
            if (i < length) {
                sink.write(chunk, i, length - i);
            }
        }

        private void keepBefore(byte[] text, boolean newline) {
            if (before.size() < 64 * 1024) {
                before.write(text, 0, text.length);
                if (newline) {
                    before.write('\n');
                }
            }
        }

        private void end() {
            try {
                if (!seen) {
                    // run.sh never spoke: what came is all there is to show
                    pipe.sink().write(before.toByteArray());
                    pipe.sink().write(line.toByteArray());
                }
            } catch (IOException e) {
                // the reader went away
            } finally {
                if (announces) {
                    announcement.complete(null);
                }
                try {
                    pipe.sink().close();
                } catch (IOException e) {
                    // a pipe's end does not fail to close
                }
            }
        }
    }

    private static boolean startsWith(byte[] line, byte @Nullable [] prefix) {
        if (prefix == null || line.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private OutputStream afterAnnouncement(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            private boolean open;

            private void awaitAnnouncement() throws IOException {
                if (open) {
                    return;
                }
                CallAnnouncement.awaitBriefly(announcement);
                open = true;
            }

            @Override
            public void write(int b) throws IOException {
                awaitAnnouncement();
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                awaitAnnouncement();
                out.write(b, off, len);
            }
        };
    }

    /**
     * The pid of the call's root on the host, as run.sh announced it; the announcement is its first
     * act, so this waits for it a little (null when it does not come).
     */
    @Override
    public @Nullable Long pid() {
        long[] a = announcement(Duration.ofSeconds(2));
        return a == null ? null : a[0];
    }

    private long @Nullable [] announcement(Duration wait) {
        try {
            return announcement.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            return null;
        }
    }

    @Override
    public InputStream stdout() {
        return out.source();
    }

    @Override
    public InputStream stderr() {
        return err == null ? InputStream.nullInputStream() : err.source();
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    /**
     * Waits for the command's status or signal, or the channel's end. Not MINA's own wait, which
     * swallows an interrupt: a cancelled call must see it.
     */
    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            if (timeout.isZero()) {
                ended.get();
            } else {
                ended.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (TimeoutException e) {
            return hasEnded();
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /** Whether the command has ended (its status or signal came, or the channel is gone). */
    public boolean hasEnded() {
        return channel.getExitStatus() != null || channel.getExitSignal() != null || channel.isClosed();
    }

    @Override
    public int exitCode() {
        Integer status = channel.getExitStatus();
        if (status != null) {
            return status;
        }
        String signal = channel.getExitSignal();
        if (signal != null) {
            return 128 + SIGNALS.getOrDefault(signal.startsWith("SIG") ? signal.substring(3) : signal, 9);
        }
        if (channel.isClosing() || channel.isClosed()) {
            // Gone without a word: the connection was lost, or we killed it before it could say.
            return killedByUs ? 128 + 9 : 255;
        }
        throw new IllegalStateException("the command of channel " + channel.getChannelId() + " has not ended");
    }

    /**
     * Kills everything the call started on the host and returns when it is gone; the channel then
     * ends by itself once what was in flight is read.
     */
    @Override
    public void kill() {
        killedByUs = true;
        long[] call = announcement(Duration.ofSeconds(1));
        if (call != null) {
            killer.kill(call[0], call[1]);
        } else if (!hasEnded()) {
            // No pid to kill by: all that is left is to let the channel go.
            channel.close(true);
        }
    }

    /** After a normal end: what is left of the call goes soon, as {@link #kill()} does. */
    @Override
    public void release() {
        long[] call = announcement.getNow(null);
        if (call != null) {
            killer.release(call[0], call[1]);
        }
    }

    @Override
    public void closeStreams() {
        channel.close(true);
    }

    /** Tells the server a terminal's new size. */
    public void resize(int columns, int rows) throws IOException {
        channel.sendWindowChange(columns, rows);
    }

    @Override
    public String toString() {
        return "RemoteExec[channel " + channel.getChannelId() + "]";
    }
}
