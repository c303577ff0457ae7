package dev.exxec.docker.internal;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docker-java's transport over the JDK's own Unix domain sockets: HTTP/1.1, one connection per
 * request. docker-java's HttpClient 5 transport talks to Unix sockets through a JNA socket whose
 * {@code shutdownOutput()} does nothing, so a program in a container never sees the end of its
 * standard input; here the half-close reaches the daemon, which closes the program's input.
 */
public final class UnixSocketTransport implements DockerHttpClient {
    private final Path socket;

    public UnixSocketTransport(Path socket) {
        this.socket = socket;
    }

    @Override
    public Response execute(Request request) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(channel);
            InputStream hijacked = request.hijackedInput();
            byte[] body = request.bodyBytes();
            if (body == null && request.body() != null) {
                body = request.body().readAllBytes();
            }
            StringBuilder head = new StringBuilder()
                    .append(request.method())
                    .append(' ')
                    .append(request.path())
                    .append(" HTTP/1.1\r\n")
                    .append("Host: docker\r\n");
            request.headers()
                    .forEach((name, value) ->
                            head.append(name).append(": ").append(value).append("\r\n"));
            if (hijacked != null) {
                head.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
            } else {
                head.append("Connection: close\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            } else if (!request.method().equals("GET") && !request.method().equals("DELETE")) {
                head.append("Content-Length: 0\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();

            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
            int status = statusOf(readLine(in));
            Map<String, List<String>> headers = readHeaders(in);
            InputStream entity;
            if (status == 101 && hijacked != null) {
                startCopying(hijacked, channel, out);
                status = 200; // as docker-java's own transports report an upgraded stream
                entity = in;
            } else if ("chunked".equalsIgnoreCase(first(headers, "transfer-encoding"))) {
                entity = new ChunkedInputStream(in);
            } else if (first(headers, "content-length") != null) {
                entity = new BoundedInputStream(
                        in, Long.parseLong(first(headers, "content-length").trim()));
            } else if (status == 204 || status == 304) {
                entity = InputStream.nullInputStream();
            } else {
                entity = in; // until the daemon closes the connection
            }
            return new UnixResponse(status, headers, entity, channel);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new UncheckedIOException(
                    "Docker request " + request.method() + " " + request.path() + " to " + socket + " failed: "
                            + e.getMessage(),
                    e);
        }
    }

    /** Copies the caller's input to the daemon, then half-closes: the program sees end of file. */
    private static void startCopying(InputStream hijacked, SocketChannel channel, OutputStream out) {
        Thread.ofVirtual().name("exxec-docker-stdin").start(() -> {
            try {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = hijacked.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
                channel.shutdownOutput();
            } catch (IOException e) {
                // the exec ended or the connection closed: nothing more to send
            }
        });
    }

    private static int statusOf(String line) throws IOException {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + line);
        }
        return Integer.parseInt(parts[1]);
    }

    private static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(
                                line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > 64 * 1024) {
                throw new IOException("HTTP header line too long");
            }
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("the Docker daemon closed the connection");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {}

    private static final class UnixResponse implements Response {
        private final int status;
        private final Map<String, List<String>> headers;
        private final InputStream body;
        private final SocketChannel channel;

        UnixResponse(int status, Map<String, List<String>> headers, InputStream body, SocketChannel channel) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.channel = channel;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public Map<String, List<String>> getHeaders() {
            return headers;
        }

        @Override
        public String getHeader(String name) {
            return first(headers, name.toLowerCase(Locale.ROOT));
        }

        @Override
        public InputStream getBody() {
            return body;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** The first {@code remaining} bytes of a stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    /** HTTP/1.1 chunked transfer coding. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        private boolean nextChunk() throws IOException {
            if (done) {
                return false;
            }
            if (left == 0) {
                String size = readLine(in);
                if (size.isEmpty()) {
                    size = readLine(in); // the CRLF that ended the previous chunk
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                if (left == 0) {
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (!nextChunk()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                done = true;
                return -1;
            }
            left -= n;
            return n;
        }
    }
}
