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
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * In front of the SDK's streamable HTTP servlet: checks the bearer token, passes each POSTed message
 * through the {@link MessageTap}, refuses bodies over a size, and closes a session's environment when
 * the client ends the session ({@code DELETE}).
 */
public final class HttpGate implements Filter {
    /** The header that names the MCP session on every request after {@code initialize}. */
    static final String SESSION_HEADER = "Mcp-Session-Id";

    private final byte @Nullable [] token;
    private final MessageTap tap;
    private final Environments environments;
    private final int maxBody;

    /**
     * @param bearerToken the token clients must send ({@code Authorization: Bearer ...}); null for none
     * @param maxBody the largest request body accepted, in bytes
     */
    public HttpGate(@Nullable String bearerToken, MessageTap tap, Environments environments, int maxBody) {
        this.token = bearerToken == null ? null : bearerToken.getBytes(StandardCharsets.UTF_8);
        this.tap = tap;
        this.environments = environments;
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
            chain.doFilter(new Body(request, tapped.getBytes(StandardCharsets.UTF_8)), response);
            return;
        }
        chain.doFilter(request, response);
        if ("DELETE".equals(request.getMethod()) && session != null && response.getStatus() < 400) {
            environments.endSession(session);
        }
    }

    private boolean authorized(@Nullable String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token); // constant time: the token is a secret
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
