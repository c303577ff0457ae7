package dev.exxec.mcp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An MCP client over streamable HTTP in raw JSON-RPC: what a client sends on the wire, and what the
 * SDK's client cannot do (cancel, abandon a session, see the HTTP status). Thread-safe.
 */
final class RawHttpMcp {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private final URI uri;
    private final String session;
    private final AtomicInteger ids = new AtomicInteger(1);

    private RawHttpMcp(URI uri, String session) {
        this.uri = uri;
        this.session = session;
    }

    String session() {
        return session;
    }

    /** A new session; throws naming the status and body when refused. */
    static RawHttpMcp open(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = post(uri, null, """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        String session = r.headers().firstValue("Mcp-Session-Id").orElse(null);
        if (r.statusCode() != 200 || session == null) {
            throw new Refused(r.statusCode(), r.body());
        }
        RawHttpMcp c = new RawHttpMcp(uri, session);
        post(uri, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return c;
    }

    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String body;

        Refused(int status, String body) {
            super("HTTP " + status + ": " + body);
            this.status = status;
            this.body = body;
        }
    }

    static HttpResponse<String> post(URI uri, @Nullable String session, String body)
            throws IOException, InterruptedException {
        return HTTP.send(request(uri, session, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(URI uri, @Nullable String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b.build();
    }

    /** The id the next request gets. */
    int nextId() {
        return ids.incrementAndGet();
    }

    /** Calls a tool; the JSON-RPC response (with {@code result} or {@code error}). */
    JsonNode call(String tool, String argumentsJson) throws IOException, InterruptedException {
        return callAsync(nextId(), tool, argumentsJson).join();
    }

    /** Calls a tool with this request id, without waiting. */
    CompletableFuture<JsonNode> callAsync(int id, String tool, String argumentsJson) {
        ObjectNode m = JSON.createObjectNode();
        m.put("jsonrpc", "2.0");
        m.put("id", id);
        m.put("method", "tools/call");
        ObjectNode params = m.putObject("params");
        params.put("name", tool);
        params.set("arguments", JSON.readTree(argumentsJson));
        return HTTP.sendAsync(request(uri, session, JSON.writeValueAsString(m)), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> answer(r, id));
    }

    private static JsonNode answer(HttpResponse<String> r, int id) {
        String body = r.body();
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return JSON.readTree(body);
        }
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                JsonNode n = JSON.readTree(line.substring(5).trim());
                if (n.path("id").asInt(-1) == id && !n.has("method")) {
                    return n;
                }
            }
        }
        throw new IllegalStateException("no answer to request " + id + " (HTTP " + r.statusCode() + "): " + body);
    }

    /** Tells the server to stop a request. */
    void cancel(int id) throws IOException, InterruptedException {
        post(
                uri,
                session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id
                        + ",\"reason\":\"test\"}}");
    }

    /** Ends the session; the HTTP status. */
    int delete() throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(30))
                                .header("Mcp-Session-Id", session)
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    /** The structured content of a tool result (fails on a protocol error). */
    static JsonNode structured(JsonNode response) {
        if (response.has("error")) {
            throw new AssertionError("protocol error: " + response);
        }
        return response.path("result").path("structuredContent");
    }
}
