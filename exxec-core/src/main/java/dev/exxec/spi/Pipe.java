package dev.exxec.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory pipe between threads: what is written to {@link #sink()} is read from {@link
 * #source()}. A writer blocks while the pipe is full (back-pressure, as with an OS pipe); a reader
 * blocks until data comes or the writer closed the pipe. Unlike {@link java.io.PipedInputStream} it
 * does not care which threads read and write, or whether they are still alive.
 *
 * <p>For streams that arrive through a client library (a container's exec, an SSH channel) and must
 * look like a process's streams to {@link ExecutionRun}.
 */
public final class Pipe {
    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private long written;
    private long read;
    private boolean writerClosed;
    private boolean readerClosed;
    private final InputStream source = new Source();
    private final OutputStream sink = new Sink();

    /** A pipe holding at most {@code capacity} bytes not yet read. */
    public Pipe(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        ring = new byte[capacity];
    }

    /** The reading end. Closing it makes further writes fail (the reader is gone). */
    public InputStream source() {
        return source;
    }

    /** The writing end. Closing it ends the stream for the reader once the data was read. */
    public OutputStream sink() {
        return sink;
    }

    private final class Source extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                while (written == read) {
                    if (writerClosed || readerClosed) {
                        return -1;
                    }
                    readable.await();
                }
                int n = (int) Math.min(len, written - read);
                for (int i = 0; i < n; i++) {
                    b[off + i] = ring[(int) (read++ % ring.length)];
                }
                writable.signalAll();
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a pipe");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return (int) Math.min(Integer.MAX_VALUE, written - read);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                readerClosed = true;
                readable.signalAll();
                writable.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private final class Sink extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                int done = 0;
                while (done < len) {
                    if (readerClosed) {
                        throw new IOException("the pipe's reader is closed");
                    }
                    if (writerClosed) {
                        throw new IOException("the pipe is closed");
                    }
                    long free = ring.length - (written - read);
                    if (free == 0) {
                        writable.await();
                        continue;
                    }
                    int n = (int) Math.min(free, len - done);
                    for (int i = 0; i < n; i++) {
                        ring[(int) (written++ % ring.length)] = b[off + done + i];
                    }
                    done += n;
                    readable.signalAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing a pipe");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                writerClosed = true;
                readable.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
