package dev.exxec.mcp.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * In front of the SDK's streamable HTTP servlet: checks the bearer token, passes each POSTed message
 * through the {@link MessageTap}, refuses bodies over a size, caps the sessions ({@code initialize}
 * beyond {@link Limits#maxSessions()} is refused), notes each session's activity for idle expiry,
 * refuses the ids of sessions that ended, and ends a session (its calls, environment and processes)
 * when the client ends it ({@code DELETE}).
 */
public final class HttpGate implements Filter {
    /** The header that names the MCP session on every request after {@code initialize}. */
    static final String SESSION_HEADER = "Mcp-Session-Id";

    private final byte @Nullable [] token;
    private final MessageTap tap;
    private final Serving serving;
    private final int maxBody;

    /**
     * @param bearerToken the token clients must send ({@code Authorization: Bearer ...}); null for none
     * @param maxBody the largest request body accepted, in bytes
     */
    public HttpGate(@Nullable String bearerToken, MessageTap tap, Serving serving, int maxBody) {
        this.token = bearerToken == null ? null : bearerToken.getBytes(StandardCharsets.UTF_8);
        this.tap = tap;
        this.serving = serving;
        this.maxBody = maxBody;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (token != null && !authorized(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"exxec\"");
            response.sendError(
                    HttpServletResponse.SC_UNAUTHORIZED, "a bearer token is required (Authorization: Bearer ...)");
            return;
        }
        String session = request.getHeader(SESSION_HEADER);
        if (session != null && serving.ended(session)) {
            json(
                    response,
                    HttpServletResponse.SC_NOT_FOUND,
                    -32001,
                    "session " + session + " has ended (deleted, or idle longer than "
                            + serving.limits().sessionIdle().toSeconds()
                            + " s: exxec serve --session-idle); start a new one with initialize");
            return;
        }
        if (session != null) {
            serving.usage().touch(session);
        }
        if ("DELETE".equals(request.getMethod())
                && session != null
                && serving.usage().isOpen(session)) {
            // Its calls are stopped and its processes killed before the SDK hears of it: close wins.
            serving.endSession(session);
        }
        if ("POST".equals(request.getMethod())) {
            byte[] body = request.getInputStream().readNBytes(maxBody + 1);
            if (body.length > maxBody) {
                response.sendError(
                        HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                        "a message may have at most " + maxBody + " bytes");
                return;
            }
            String message = new String(body, StandardCharsets.UTF_8);
            String tapped = tap.inbound(session == null ? "" : session, message);
            if (tapped == null) { // a notification the tap handled: accepted, as the SDK would say
                response.setStatus(HttpServletResponse.SC_ACCEPTED);
                return;
            }
            Body rewritten = new Body(request, tapped.getBytes(StandardCharsets.UTF_8));
            if (session == null && MessageTap.isInitialize(tapped)) {
                initialize(rewritten, response, chain);
                return;
            }
            chain.doFilter(rewritten, response);
            return;
        }
        if ("GET".equals(request.getMethod()) && session != null) {
            listen(session, request, response, chain);
            return;
        }
        chain.doFilter(request, response);
    }

    /**
     * A listening stream, within the caps: a stream held open takes a connection for as long as it
     * lasts, so the server holds at most {@link Serving#maxStreams()} (503 beyond), well below the
     * connections. The SDK keeps one stream a session: a new GET ends the one before; the connection
     * of an ended stream is closed, not kept alive for the client to hold ({@code Connection: close},
     * which the SDK would overwrite with {@code keep-alive}),
     * and GETs racing on one session beyond {@link Serving#STREAMS_PER_SESSION} are refused (409).
     */
    private void listen(String session, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("Connection", "close");
        Serving.StreamRefusal refusal = serving.reserveStream(session);
        if (refusal != null) {
            json(response, refusal.status(), -32000, refusal.message());
            return;
        }
        boolean held = false;
        try {
            chain.doFilter(request, new ClosingConnection(response));
            if (request.isAsyncStarted()) {
                serving.stream(session, request.getAsyncContext());
                held = true;
            }
        } finally {
            if (!held) {
                serving.releaseStream(session);
            }
        }
    }

    /** A new session, within the cap. */
    private void initialize(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!serving.usage().reserveSession()) {
            Limits limits = serving.limits();
            json(
                    response,
                    HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    -32000,
                    "too many MCP sessions: " + limits.maxSessions()
                            + " are open (the cap maxSessions, exxec serve --max-sessions); end one (DELETE) or wait"
                            + " until one sits idle for " + limits.sessionIdle().toSeconds() + " s and expires");
            return;
        }
        String id = null;
        try {
            chain.doFilter(request, response);
            id = response.getHeader(SESSION_HEADER);
        } finally {
            if (id != null && response.getStatus() < 400) {
                serving.usage().opened(id);
            } else {
                serving.usage().unreserve();
            }
        }
    }

    /** A JSON-RPC error without an id as the whole answer. */
    private static void json(HttpServletResponse response, int status, int code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(MessageTap.error(code, message));
        response.getWriter().flush();
    }

    private boolean authorized(@Nullable String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token); // constant time: the token is a secret
    }

    /** A response whose connection closes when it ends, whatever the servlet says. */
    private static final class ClosingConnection extends HttpServletResponseWrapper {
        ClosingConnection(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setHeader(String name, String value) {
            super.setHeader(name, "Connection".equalsIgnoreCase(name) ? "close" : value);
        }

        @Override
        public void addHeader(String name, String value) {
            if ("Connection".equalsIgnoreCase(name)) {
                super.setHeader(name, "close");
            } else {
                super.addHeader(name, value);
            }
        }
    }

    /** The request with its body replaced. */
    private static final class Body extends HttpServletRequestWrapper {
        private final byte[] body;

        Body(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }
    }
}
