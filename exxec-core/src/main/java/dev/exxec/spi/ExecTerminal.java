package dev.exxec.spi;

import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSize;
import dev.exxec.internal.PlatformThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A {@link Terminal} over any process started on a pseudo-terminal whose one output stream carries
 * everything (an exec with a TTY, an SSH channel with a PTY): the output is kept in a {@link
 * TerminalBuffer} as it comes, input goes to the process's standard input, a resize goes to the
 * provider's {@link Resizer}.
 */
public final class ExecTerminal implements Terminal {
    /** Tells the provider's pseudo-terminal its new size; a terminal that ended may ignore it. */
    @FunctionalInterface
    public interface Resizer {
        void resize(TerminalSize size) throws IOException;
    }

    private final String id;
    private final ExecProcess exec;
    private final Resizer resizer;
    private final Consumer<String> onKilled;
    private final TerminalBuffer buffer = new TerminalBuffer(4 << 20);
    private volatile TerminalSize size;

    /**
     * @param size the size it was opened with
     * @param onKilled told the id once it was killed (to drop it from a list)
     */
    public ExecTerminal(String id, ExecProcess exec, TerminalSize size, Resizer resizer, Consumer<String> onKilled) {
        this.id = id;
        this.exec = exec;
        this.size = size;
        this.resizer = resizer;
        this.onKilled = onKilled;
        PlatformThreads.start(id + "-output", this::pump); // a pty read waits for as long as it is quiet
    }

    private void pump() {
        byte[] chunk = new byte[8192];
        try (InputStream in = exec.stdout()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buffer.append(chunk, 0, n);
            }
        } catch (IOException e) {
            // the terminal ended
        } finally {
            buffer.close();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public OptionalLong pid() {
        Long pid = exec.pid();
        return pid == null ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    @Override
    public void write(byte[] input) {
        try {
            OutputStream in = exec.stdin();
            synchronized (in) {
                in.write(input);
                in.flush();
            }
        } catch (IOException e) {
            throw new ExxecException("cannot write to terminal " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream output() {
        return buffer.stream();
    }

    @Override
    public String readUntil(String expected, Duration timeout) {
        return buffer.readUntil(id, expected, timeout);
    }

    @Override
    public void resize(TerminalSize size) {
        try {
            resizer.resize(size);
        } catch (IOException | RuntimeException e) {
            // a terminal that already ended has no size to change
        }
        this.size = size;
    }

    @Override
    public TerminalSize size() {
        return size;
    }

    @Override
    public boolean isAlive() {
        try {
            return !exec.waitFor(Duration.ofNanos(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    @Override
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        return exec.waitFor(timeout) ? OptionalInt.of(exec.exitCode()) : OptionalInt.empty();
    }

    @Override
    public void kill() {
        exec.kill();
        onKilled.accept(id);
    }

    @Override
    public String toString() {
        return "Terminal[" + id + ", " + exec + "]";
    }
}
