package dev.exxec.mcp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Standard output of the stdio transport: whole lines only, each written and flushed under one lock,
 * so that a line the server writes itself (a parse error's answer) never lands inside one of the
 * SDK's messages.
 */
public final class LineOutput extends OutputStream {
    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LineOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n') {
            out.write(line.toByteArray());
            out.flush();
            line.reset();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** Writes a whole line of its own. */
    public synchronized void writeLine(String text) throws IOException {
        out.write((text + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
