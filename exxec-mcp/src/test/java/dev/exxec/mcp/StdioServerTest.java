package dev.exxec.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.exxec.Exxec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server over stdio, spoken to in raw JSON-RPC lines: what an MCP client sends on the wire,
 * cancellation included (the SDK's client cannot send {@code notifications/cancelled}).
 */
class StdioServerTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private OutputStream toServer;
    private final BlockingQueue<JsonNode> fromServer = new LinkedBlockingQueue<>();
    private Thread serving;
    private ExxecMcpServer server;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        Pipe in = Pipe.open();
        Pipe out = Pipe.open();
        toServer = Channels.newOutputStream(in.sink());
        server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        serving = Thread.ofPlatform().name("stdio-server").start(() -> {
            try {
                server.serveStdio(Channels.newInputStream(in.source()), Channels.newOutputStream(out.sink()));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread.ofPlatform().daemon().name("stdio-client-reader").start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(out.source()), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    fromServer.add(JSON.readTree(line));
                }
            } catch (IOException e) {
                // the server closed its end
            }
        });
        send("""
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        assertThat(response(0).path("result").path("serverInfo").path("name").asString())
                .isEqualTo("exxec");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @AfterEach
    void stop() throws Exception {
        toServer.close();
        serving.join(10_000);
        assertThat(serving.isAlive())
                .as("the server returns when its input ends")
                .isFalse();
        assertThat(failure.get()).isNull();
        assertThat(server.openEnvironments()).isZero();
    }

    private void send(String line) throws IOException {
        toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        toServer.flush();
    }

    private JsonNode next() throws InterruptedException {
        JsonNode n = fromServer.poll(30, TimeUnit.SECONDS);
        assertThat(n).as("a message from the server within 30 s").isNotNull();
        return n;
    }

    private JsonNode response(int id) throws InterruptedException {
        while (true) {
            JsonNode n = next();
            if (n.has("id") && n.get("id").asInt() == id && !n.has("method")) {
                return n;
            }
        }
    }

    @Test
    void cancellingACallKillsWhatItRuns() throws Exception {
        send("""
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_code",\
                "arguments":{"code":"import os, time\\nprint(os.getpid(), flush=True)\\ntime.sleep(300)"},\
                "_meta":{"progressToken":"t7"}}}""");
        long pid = -1;
        while (pid < 0) {
            JsonNode n = next();
            if ("notifications/progress".equals(n.path("method").asString(""))) {
                assertThat(n.path("params").path("progressToken").asString()).isEqualTo("t7");
                pid = Long.parseLong(n.path("params").path("message").asString().trim());
            }
        }
        long running = pid;
        assertThat(ProcessHandle.of(running)).as("the program runs").isPresent();

        long cancelledAt = System.nanoTime();
        send("""
                {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"test"}}""");
        JsonNode r = response(7);
        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(r.path("result").path("isError").asBoolean()).isTrue();
        assertThat(r.path("result").path("structuredContent").path("errorType").asString())
                .isEqualTo("CancelledError");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(running).map(p -> !p.isAlive()).orElse(true));

        // and the server goes on serving
        send("""
                {"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"run_command","arguments":{"command":"echo after"}}}""");
        assertThat(response(8)
                        .path("result")
                        .path("structuredContent")
                        .path("stdout")
                        .asString())
                .isEqualTo("after\n");
    }

    @Test
    void malformedMessagesGetErrorsAndTheServerGoesOn() throws Exception {
        send("{not json");
        assertThat(next().path("error").path("code").asInt()).isEqualTo(-32700);
        send("[1, 2");
        assertThat(next().path("error").path("code").asInt()).isEqualTo(-32700);
        send("""
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"execute_code","arguments":{}}}""");
        JsonNode error = response(3).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32602);
        assertThat(error.path("message").asString()).contains("'code' is required");
        send("""
                {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"execute_code","arguments":{"code":"_result = 42"}}}""");
        assertThat(response(4)
                        .path("result")
                        .path("structuredContent")
                        .path("result")
                        .asInt())
                .isEqualTo(42);
    }
}
