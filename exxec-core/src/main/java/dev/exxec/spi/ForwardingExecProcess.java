package dev.exxec.spi;

import dev.exxec.ExecutionResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ExecProcess} that passes everything to another, for a provider that adds to one part
 * (most often {@link #conclude}, to say what only it knows about how the process ended).
 */
public abstract class ForwardingExecProcess implements ExecProcess {
    protected final ExecProcess delegate;

    protected ForwardingExecProcess(ExecProcess delegate) {
        this.delegate = delegate;
    }

    @Override
    public @Nullable Long pid() {
        return delegate.pid();
    }

    @Override
    public InputStream stdout() {
        return delegate.stdout();
    }

    @Override
    public InputStream stderr() {
        return delegate.stderr();
    }

    @Override
    public OutputStream stdin() {
        return delegate.stdin();
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return delegate.waitFor(timeout);
    }

    @Override
    public int exitCode() {
        return delegate.exitCode();
    }

    @Override
    public void kill() {
        delegate.kill();
    }

    @Override
    public void release() {
        delegate.release();
    }

    @Override
    public void closeStreams() {
        delegate.closeStreams();
    }

    @Override
    public ExecutionResult conclude(ExecutionResult result) {
        return delegate.conclude(result);
    }
}
