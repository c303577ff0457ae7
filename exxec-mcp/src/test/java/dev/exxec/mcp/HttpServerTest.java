package dev.exxec.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Exxec;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server over streamable HTTP, driven by the MCP SDK's own client, backed by {@code local}. */
class HttpServerTest {
    private static ExxecMcpServer server;
    private static ExxecMcpServer.HttpEndpoint endpoint;

    @BeforeAll
    static void start() {
        server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .maxOutputChars(2000)
                .build();
        endpoint = server.serveHttp("127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    static McpSyncClient client(List<Object> notifications) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(
                                endpoint.uri().resolve("/").toString())
                        .endpoint(ExxecMcpServer.HTTP_PATH)
                        .build())
                .requestTimeout(Duration.ofSeconds(60))
                .loggingConsumer(notifications::add)
                .progressConsumer(notifications::add)
                .build();
        client.initialize();
        return client;
    }

    @Test
    void listsTheEightTools() {
        try (McpSyncClient client = client(new CopyOnWriteArrayList<>())) {
            assertThat(client.listTools().tools())
                    .extracting(McpSchema.Tool::name)
                    .containsExactly(
                            "execute_code",
                            "run_command",
                            "read_file",
                            "write_file",
                            "list_files",
                            "start_process",
                            "process_output",
                            "kill_process");
        }
    }

    @Test
    void executesCodeAndReturnsItsResult() {
        try (McpSyncClient client = client(new CopyOnWriteArrayList<>())) {
            CallToolResult r = client.callTool(new CallToolRequest(
                    "execute_code", Map.of("code", "print('hi')\ndef main():\n    return 6 * 7\n")));
            assertThat(r.isError()).as(r.toString()).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).contains("result: 42", "hi");
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.structuredContent();
            assertThat(s)
                    .containsEntry("success", true)
                    .containsEntry("result", 42)
                    .containsEntry("stdout", "hi\n");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void callsNamingASessionShareItsState() {
        try (McpSyncClient client = client(new CopyOnWriteArrayList<>())) {
            CallToolResult first =
                    client.callTool(new CallToolRequest("execute_code", Map.of("code", "x = 41", "session", "s1")));
            assertThat(first.isError()).as(first.toString()).isFalse();
            CallToolResult second = client.callTool(
                    new CallToolRequest("execute_code", Map.of("code", "x += 1\n_result = x", "session", "s1")));
            assertThat((Map<String, Object>) second.structuredContent()).containsEntry("result", 42);
            CallToolResult other = client.callTool(
                    new CallToolRequest("execute_code", Map.of("code", "_result = 'x' in globals()", "session", "s2")));
            assertThat((Map<String, Object>) other.structuredContent()).containsEntry("result", false);
            CallToolResult fresh = client.callTool(new CallToolRequest("execute_code", Map.of("code", "_result = x")));
            assertThat(fresh.isError()).as("a call without a session is fresh").isTrue();
            assertThat((Map<String, Object>) fresh.structuredContent()).containsEntry("errorType", "NameError");
            CallToolResult deadline = client.callTool(new CallToolRequest(
                    "execute_code", Map.of("code", "while True:\n    pass", "session", "s1", "timeout", 1)));
            assertThat((Map<String, Object>) deadline.structuredContent()).containsEntry("errorType", "TimeoutError");
            CallToolResult kept = client.callTool(
                    new CallToolRequest("execute_code", Map.of("code", "_result = x", "session", "s1")));
            assertThat((Map<String, Object>) kept.structuredContent()).containsEntry("result", 42);
        }
    }

    @Test
    void aFailingProgramIsAToolErrorWithItsType() {
        try (McpSyncClient client = client(new CopyOnWriteArrayList<>())) {
            CallToolResult r = client.callTool(
                    new CallToolRequest("execute_code", Map.of("code", "raise ValueError('bad value')")));
            assertThat(r.isError()).isTrue();
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.structuredContent();
            assertThat(s).containsEntry("errorType", "ValueError").containsEntry("error", "bad value");
        }
    }

    @Test
    void badArgumentsAndUnknownToolsAreProtocolErrorsAndTheServerGoesOn() {
        try (McpSyncClient client = client(new CopyOnWriteArrayList<>())) {
            assertThatThrownBy(() -> client.callTool(new CallToolRequest("execute_code", Map.of("code", 42))))
                    .isInstanceOfSatisfying(
                            McpError.class,
                            e -> assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS))
                    .hasMessageContaining("argument 'code' must be a string");
            // The SDK answers an unknown tool itself: -32602, the tool's name in the error's data.
            assertThatThrownBy(() -> client.callTool(new CallToolRequest("no_such_tool", Map.of())))
                    .isInstanceOfSatisfying(
                            McpError.class,
                            e -> assertThat(e.getJsonRpcError().data()).hasToString("Tool not found: no_such_tool"));
            CallToolResult r = client.callTool(new CallToolRequest("run_command", Map.of("command", "echo ok")));
            assertThat(r.isError()).isFalse();
        }
    }

    @Test
    void outputStreamsAsProgressNotificationsWhileTheCallRuns() {
        List<Object> notifications = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = client(notifications)) {
            CallToolResult r = client.callTool(CallToolRequest.builder("run_command")
                    .arguments(Map.of("command", "for i in 1 2 3; do echo line$i; sleep 0.3; done; echo oops >&2"))
                    .progressToken("p1")
                    .build());
            assertThat(r.isError()).isFalse();
            // The client hands notifications to its consumer on threads of its own: the last may reach
            // the list a moment after callTool returned (it failed so once in CI).
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .untilAsserted(() -> {
                        List<McpSchema.ProgressNotification> progress = notifications.stream()
                                .filter(n -> n instanceof McpSchema.ProgressNotification)
                                .map(n -> (McpSchema.ProgressNotification) n)
                                .toList();
                        assertThat(progress).hasSizeGreaterThanOrEqualTo(3);
                        assertThat(progress.get(0).message()).isEqualTo("line1\n");
                        assertThat(progress.get(0).progressToken()).isEqualTo("p1");
                        assertThat(progress)
                                .anySatisfy(p -> assertThat(p.meta()).containsEntry("dev.exxec/stream", "stderr"));
                    });
        }
    }

    @Test
    void withoutAProgressTokenOutputStreamsAsLogMessages() {
        List<Object> notifications = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = client(notifications)) {
            client.callTool(new CallToolRequest(
                    "execute_code",
                    Map.of("code", "import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.3)")));
            assertThat(notifications)
                    .filteredOn(n -> n instanceof McpSchema.LoggingMessageNotification)
                    .extracting(n -> ((McpSchema.LoggingMessageNotification) n).data())
                    .containsExactly("0\n", "1\n", "2\n");
        }
    }

    @Test
    void oversizedOutputIsCutAndSaysSo() {
        try (McpSyncClient client = client(new CopyOnWriteArrayList<>())) {
            CallToolResult r =
                    client.callTool(new CallToolRequest("execute_code", Map.of("code", "print('x' * 1_000_000)")));
            assertThat(r.isError()).isFalse();
            String text = ((McpSchema.TextContent) r.content().get(0)).text();
            assertThat(text).contains("stdout cut here").hasSizeLessThan(5000);
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.structuredContent();
            assertThat(s).containsEntry("stdoutTruncated", true);
        }
    }
}
