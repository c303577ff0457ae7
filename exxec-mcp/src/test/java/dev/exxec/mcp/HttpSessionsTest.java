package dev.exxec.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.exxec.Exxec;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** HTTP serving: one environment per session, and the bearer token. */
class HttpSessionsTest {

    static McpSyncClient client(URI endpoint, @Nullable String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(
                                endpoint.resolve("/").toString())
                        .endpoint(ExxecMcpServer.HTTP_PATH)
                        .requestBuilder(request)
                        .build())
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(20))
                .build();
        client.initialize();
        return client;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(CallToolResult r) {
        return (Map<String, Object>) r.structuredContent();
    }

    @Test
    void eachSessionHasItsOwnEnvironmentClosedWhenTheSessionEnds() {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .perSession(true)
                .build();
        try (ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp("127.0.0.1", 0, null)) {
            assertThat(server.openEnvironments())
                    .as("made on a session's first call")
                    .isZero();
            McpSyncClient first = client(endpoint.uri(), null);
            McpSyncClient second = client(endpoint.uri(), null);
            first.callTool(new CallToolRequest("write_file", Map.of("path", "mine.txt", "content", "first")));
            CallToolResult listed = second.callTool(new CallToolRequest("list_files", Map.of()));
            assertThat(structured(listed).get("entries").toString()).doesNotContain("mine.txt");
            CallToolResult read = first.callTool(new CallToolRequest("read_file", Map.of("path", "mine.txt")));
            assertThat(structured(read)).containsEntry("content", "first");
            assertThat(server.openEnvironments()).isEqualTo(2);

            first.closeGracefully();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openEnvironments() == 1);
            second.close();
        }
        assertThat(server.openEnvironments()).isZero();
    }

    @Test
    void aBearerTokenKeepsOthersOut() throws Exception {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        try (ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp("127.0.0.1", 0, "s3cret")) {
            HttpResponse<String> refused = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(endpoint.uri())
                                    .header("Authorization", "Bearer wrong")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"exxec\"");
            assertThatThrownBy(() -> client(endpoint.uri(), null)).isNotNull();

            try (McpSyncClient client = client(endpoint.uri(), "s3cret")) {
                CallToolResult r = client.callTool(new CallToolRequest("run_command", Map.of("command", "echo in")));
                assertThat(structured(r)).containsEntry("stdout", "in\n");
            }
        }
    }

    @Test
    void backgroundProcessesStartReportAndDie() throws Exception {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        try (ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp("127.0.0.1", 0, null);
                McpSyncClient client = client(endpoint.uri(), null)) {
            CallToolResult started = client.callTool(
                    new CallToolRequest("start_process", Map.of("command", "echo ready; exec sleep 300")));
            assertThat(started.isError()).as(started.toString()).isFalse();
            String id = (String) structured(started).get("process_id");
            long pid = ((Number) structured(started).get("pid")).longValue();

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                CallToolResult out = client.callTool(new CallToolRequest("process_output", Map.of("process_id", id)));
                return "ready\n".equals(structured(out).get("stdout"));
            });
            CallToolResult killed = client.callTool(new CallToolRequest("kill_process", Map.of("process_id", id)));
            assertThat(structured(killed)).containsEntry("running", false);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));

            CallToolResult unknown =
                    client.callTool(new CallToolRequest("process_output", Map.of("process_id", "nope")));
            assertThat(unknown.isError()).isTrue();
            assertThat(structured(unknown)).containsEntry("errorType", "ProcessNotFoundError");
        }
    }
}
