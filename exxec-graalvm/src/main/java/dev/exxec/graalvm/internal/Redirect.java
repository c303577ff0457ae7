package dev.exxec.graalvm.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A context's output stream whose target changes per call: a context's streams are fixed when it is
 * built, a session's calls each have their own.
 */
public final class Redirect extends OutputStream {
    private volatile OutputStream target = OutputStream.nullOutputStream();

    /** Sends what follows to {@code target}. */
    public void to(OutputStream target) {
        this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
        target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }
}
