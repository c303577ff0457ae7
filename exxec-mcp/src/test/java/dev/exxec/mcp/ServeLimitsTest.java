package dev.exxec.mcp;

import static dev.exxec.mcp.RawHttpMcp.structured;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Exxec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The caps of {@code exxec serve} over HTTP: each refuses with an error naming it, idle sessions and
 * connections are let go, and a deadline is always finite.
 */
class ServeLimitsTest {

    private static ExxecMcpServer.HttpEndpoint serve(UnaryOperator<ExxecMcpServer.Builder> settings) {
        return serve(settings, b -> b);
    }

    private static ExxecMcpServer server;

    private static ExxecMcpServer.HttpEndpoint serve(
            UnaryOperator<ExxecMcpServer.Builder> settings, UnaryOperator<ExxecMcpServer.Builder> more) {
        server = more.apply(settings.apply(ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))))
                .build();
        return server.serveHttp("127.0.0.1", 0, null);
    }

    private static String errorType(JsonNode response) {
        return structured(response).path("errorType").asString("");
    }

    private static String error(JsonNode response) {
        return structured(response).path("error").asString("");
    }

    @Test
    void aDeadlineIsAlwaysFiniteAndAtMostTheMaximum() throws Exception {
        try (var endpoint = serve(b -> b.defaultTimeout(Duration.ofSeconds(1)).maxTimeout(Duration.ofSeconds(10)))) {
            RawHttpMcp c = RawHttpMcp.open(endpoint.uri());
            for (String timeout : List.of("0", "\"0\"", "1e-12", "-1", "\"NaN\"", "\"Infinity\"", "11", "1e300")) {
                for (String tool : List.of("run_command", "execute_code")) {
                    String args = tool.equals("run_command")
                            ? "{\"command\":\"sleep 60\",\"timeout\":" + timeout + "}"
                            : "{\"code\":\"import time\\ntime.sleep(60)\",\"timeout\":" + timeout + "}";
                    JsonNode r = c.call(tool, args);
                    assertThat(r.path("error").path("code").asInt())
                            .as("%s with timeout %s: %s", tool, timeout, r)
                            .isEqualTo(-32602);
                    assertThat(r.path("error").path("message").asString()).contains("'timeout'", "0.001", "10");
                }
            }
            // No timeout: the default applies, and fires within a second of it.
            long start = System.nanoTime();
            JsonNode r = c.call("run_command", "{\"command\":\"sleep 60\"}");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(errorType(r)).isEqualTo("TimeoutError");
            // The smallest deadline allowed is honoured too.
            r = c.call("run_command", "{\"command\":\"sleep 60\",\"timeout\":0.001}");
            assertThat(errorType(r)).isEqualTo("TimeoutError");
        }
    }

    /** Whether /proc/kmsg opens: a regular-looking file of size 0 whose read blocks until the kernel logs. */
    private static boolean kmsgOpens() {
        try (FileChannel ignored = FileChannel.open(Path.of("/proc/kmsg"))) {
            return true;
        } catch (Exception | Error e) {
            return false;
        }
    }

    @Test
    void aFileReadStuckInTheKernelEndsAtTheDeadlineOrOnCancellationAndFreesItsSlot() throws Exception {
        assumeTrue(kmsgOpens(), "skipped: /proc/kmsg does not open here (run as root to test a read that blocks)");
        try (var endpoint = serve(b -> b.defaultTimeout(Duration.ofSeconds(2)).maxCalls(1))) {
            RawHttpMcp c = RawHttpMcp.open(endpoint.uri());
            long start = System.nanoTime();
            JsonNode r = c.callAsync(c.nextId(), "read_file", "{\"path\":\"/proc/kmsg\"}")
                    .get(30, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(errorType(r)).as("%s", r).isEqualTo("TimeoutError");
            assertThat(error(r)).contains("read_file of /proc/kmsg did not finish within 2 s");
            // The only call slot is free again.
            r = c.call("run_command", "{\"command\":\"echo freed\"}");
            assertThat(structured(r).path("stdout").asString()).as("%s", r).contains("freed");

            int id = c.nextId();
            CompletableFuture<JsonNode> pending = c.callAsync(id, "read_file", "{\"path\":\"/proc/kmsg\"}");
            Thread.sleep(300);
            long cancelledAt = System.nanoTime();
            c.cancel(id);
            r = pending.get(30, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(1));
            assertThat(errorType(r)).as("%s", r).isEqualTo("CancelledError");
            r = c.call("run_command", "{\"command\":\"echo freed again\"}");
            assertThat(structured(r).path("stdout").asString()).as("%s", r).contains("freed again");
        }
    }

    /**
     * A listening stream (GET) of a session: its socket and what came in: nothing when the server held
     * it open (the SDK sends nothing, not even the status line, until it has an event), a refusal whole.
     */
    private record Stream(Socket socket, String answer) {
        boolean held() {
            return answer.isEmpty();
        }
    }

    private static Stream listen(ExxecMcpServer.HttpEndpoint endpoint, RawHttpMcp session, boolean refusal)
            throws Exception {
        Socket s = new Socket("127.0.0.1", endpoint.port());
        // A refusal comes at once: waiting long for it costs nothing; an open stream says nothing.
        s.setSoTimeout(refusal ? 15_000 : 1_000);
        s.getOutputStream()
                .write(("GET " + endpoint.uri().getPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Accept: text/event-stream\r\nMcp-Session-Id: "
                                + session.session() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        try {
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            s.close();
            return new Stream(s, answer.isEmpty() ? "(closed without an answer)" : answer);
        } catch (SocketTimeoutException e) {
            if (refusal) {
                s.close();
                return new Stream(s, "(no answer in 15 s)");
            }
            return new Stream(s, "");
        }
    }

    @Test
    void listeningStreamsAreCappedInAllAndAnEndedOneFreesItsConnectionSoThatCallsFindOne() throws Exception {
        // 12 connections: at most 3 listening streams in all.
        try (var endpoint = serve(b -> b.maxConnections(12))) {
            List<Socket> held = new ArrayList<>();
            try {
                RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
                Stream first = listen(endpoint, a, false);
                held.add(first.socket());
                assertThat(first.held()).as(first.answer()).isTrue();
                // A new stream of the session ends the one before, and its connection (kept alive by
                // this client) is closed: replaced streams do not pile up on connections.
                Stream second = listen(endpoint, a, false);
                held.add(second.socket());
                assertThat(second.held()).as(second.answer()).isTrue();
                first.socket().setSoTimeout(10_000);
                try {
                    first.socket().getInputStream().readAllBytes();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the replaced stream's connection was still open after 10 s", e);
                }
                List<RawHttpMcp> sessions = List.of(RawHttpMcp.open(endpoint.uri()), RawHttpMcp.open(endpoint.uri()));
                for (RawHttpMcp other : sessions) {
                    Stream s = listen(endpoint, other, false);
                    held.add(s.socket());
                    assertThat(s.held()).as(s.answer()).isTrue();
                }
                // More GETs are refused at once and hold no connection: calls are answered.
                RawHttpMcp d = RawHttpMcp.open(endpoint.uri());
                for (int i = 0; i < 20; i++) {
                    Stream over = listen(endpoint, d, true);
                    held.add(over.socket());
                    assertThat(over.answer()).startsWith("HTTP/1.1 503").contains("\"jsonrpc\"", "3 listening streams");
                }
                JsonNode r = d.call("run_command", "{\"command\":\"echo served\"}");
                assertThat(structured(r).path("stdout").asString()).isEqualTo("served\n");
                // A session's end ends its stream and frees its place.
                assertThat(a.delete()).isEqualTo(200);
                Stream again = listen(endpoint, d, false);
                held.add(again.socket());
                assertThat(again.held()).as(again.answer()).isTrue();
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void concurrentCallsAreCappedInAllAndPerSession() throws Exception {
        try (var endpoint = serve(b -> b.maxCalls(3).maxCallsPerSession(2))) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            RawHttpMcp b = RawHttpMcp.open(endpoint.uri());
            String slow = "{\"command\":\"sleep 3\",\"timeout\":20}";
            CompletableFuture<JsonNode> a1 = a.callAsync(a.nextId(), "run_command", slow);
            CompletableFuture<JsonNode> a2 = a.callAsync(a.nextId(), "run_command", slow);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.runningCalls() == 2);
            JsonNode refused = a.call("run_command", "{\"command\":\"echo 3\"}");
            assertThat(errorType(refused)).isEqualTo("LimitExceededError");
            assertThat(error(refused)).contains("maxCallsPerSession", "--max-calls-per-session", "2");

            CompletableFuture<JsonNode> b1 = b.callAsync(b.nextId(), "run_command", slow);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.runningCalls() == 3);
            refused = b.call("run_command", "{\"command\":\"echo 4\"}");
            assertThat(errorType(refused)).isEqualTo("LimitExceededError");
            assertThat(error(refused)).contains("maxCalls", "--max-calls", "3");

            for (CompletableFuture<JsonNode> f : List.of(a1, a2, b1)) {
                assertThat(structured(f.join()).path("success").asBoolean()).isTrue();
            }
            assertThat(server.runningCalls()).isZero();
            assertThat(structured(a.call("run_command", "{\"command\":\"echo again\"}"))
                            .path("stdout")
                            .asString())
                    .isEqualTo("again\n");
        }
    }

    @Test
    void backgroundProcessesAreCappedAndEndedOnesAreDropped() throws Exception {
        try (var endpoint =
                serve(b -> b.maxProcesses(3).maxProcessesPerSession(2).processRetention(Duration.ofMillis(500)))) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            RawHttpMcp b = RawHttpMcp.open(endpoint.uri());
            String sleep = "{\"command\":\"sleep 300\"}";
            String first = structured(a.call("start_process", sleep))
                    .path("process_id")
                    .asString();
            structured(a.call("start_process", sleep));
            JsonNode refused = a.call("start_process", sleep);
            assertThat(errorType(refused)).isEqualTo("LimitExceededError");
            assertThat(error(refused)).contains("maxProcessesPerSession", "--max-processes-per-session", "2");

            structured(b.call("start_process", sleep));
            refused = b.call("start_process", sleep);
            assertThat(errorType(refused)).isEqualTo("LimitExceededError");
            assertThat(error(refused)).contains("maxProcesses", "--max-processes", "3");

            a.call("kill_process", "{\"process_id\":\"" + first + "\"}");
            String id = structured(b.call("start_process", "{\"command\":\"echo done\"}"))
                    .path("process_id")
                    .asString();
            assertThat(id).isNotEmpty();

            // An ended process stays readable for a while, then is dropped.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode out = b.call("process_output", "{\"process_id\":\"" + id + "\"}");
                return "ProcessNotFoundError".equals(errorType(out));
            });
        }
    }

    @Test
    void namedSessionsAreCapped() throws Exception {
        try (var endpoint = serve(b -> b.maxNamedSessions(1))) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            assertThat(structured(a.call("execute_code", "{\"code\":\"x = 1\",\"session\":\"one\"}"))
                            .path("success")
                            .asBoolean())
                    .isTrue();
            JsonNode refused = a.call("execute_code", "{\"code\":\"x = 2\",\"session\":\"two\"}");
            assertThat(errorType(refused)).isEqualTo("LimitExceededError");
            assertThat(error(refused)).contains("maxNamedSessions", "--max-named-sessions", "1");
            assertThat(structured(a.call("execute_code", "{\"code\":\"_result = x\",\"session\":\"one\"}"))
                            .path("result")
                            .asInt())
                    .isEqualTo(1);
        }
    }

    @Test
    void sessionsAreCappedAndIdleOnesExpireWithEverythingTheyStarted() throws Exception {
        try (var endpoint = serve(b -> b.perSession(true).maxSessions(2).sessionIdleTimeout(Duration.ofMillis(1500)))) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            RawHttpMcp b = RawHttpMcp.open(endpoint.uri());
            RawHttpMcp.Refused refused =
                    catchThrowableOfType(RawHttpMcp.Refused.class, () -> RawHttpMcp.open(endpoint.uri()));
            assertThat(refused).as("a third session is refused").isNotNull();
            assertThat(refused.status).isEqualTo(503);
            assertThat(refused.body).contains("maxSessions", "--max-sessions", "2");

            long pid = structured(a.call("start_process", "{\"command\":\"sleep 300\"}"))
                    .path("pid")
                    .asLong();
            // A session whose call runs is not idle, however long the call.
            JsonNode slow = b.call("run_command", "{\"command\":\"sleep 4; echo slept\",\"timeout\":20}");
            assertThat(structured(slow).path("stdout").asString()).isEqualTo("slept\n");

            await().atMost(Duration.ofSeconds(10)).until(() -> server.openSessions() == 0);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
            assertThat(server.openEnvironments()).isZero();
            JsonNode gone = a.call("run_command", "{\"command\":\"echo late\"}");
            assertThat(gone.path("error").path("message").asString()).contains("has ended", "initialize");
            RawHttpMcp again = RawHttpMcp.open(endpoint.uri());
            assertThat(structured(again.call("run_command", "{\"command\":\"echo new\"}"))
                            .path("stdout")
                            .asString())
                    .isEqualTo("new\n");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedButAQuietCallIsNot() throws Exception {
        try (var endpoint = serve(b -> b.httpIdleTimeout(Duration.ofSeconds(1)))) {
            try (Socket s = new Socket("127.0.0.1", endpoint.port())) {
                s.setSoTimeout(15_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 100\r\n\r\n{\"jsonrpc\"")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long start = System.nanoTime();
                InputStream in = s.getInputStream();
                try {
                    while (in.read() >= 0) {
                        // an error answer may come first; then the end
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the half-sent request was held for 15 s", e);
                } catch (java.io.IOException e) {
                    // reset: closed too
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
            RawHttpMcp c = RawHttpMcp.open(endpoint.uri());
            JsonNode quiet = c.call("run_command", "{\"command\":\"sleep 3; echo quiet\",\"timeout\":20}");
            assertThat(structured(quiet).path("stdout").asString()).isEqualTo("quiet\n");
        }
    }
}
