package dev.exxec.mcp;

import static dev.exxec.mcp.RawHttpMcp.structured;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.exxec.Exxec;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code exxec serve} stays up beside quiet processes, and closing always wins: the end of stdin,
 * SIGTERM and {@code DELETE} stop what runs at once and leave no process or workspace behind. The
 * stdio server runs in a child JVM (with the suite's two-carrier virtual-thread scheduler), so that
 * its exit and what it leaves can be seen from outside.
 */
class ServeCloseTest {

    /** A stdio server in a child JVM, spoken to in raw JSON-RPC lines. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final OutputStream in;
        final BlockingQueue<JsonNode> out = new LinkedBlockingQueue<>();
        int ids = 100;

        Child(Path log) throws IOException, InterruptedException {
            process = new ProcessBuilder(StdioServerMain.command())
                    .redirectError(log.toFile())
                    .start();
            in = process.getOutputStream();
            Thread.ofPlatform().daemon().name("child-stdout").start(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        out.add(RawHttpMcp.JSON.readTree(line));
                    }
                } catch (IOException e) {
                    // the child ended
                }
            });
            send("""
                    {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                    "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
            assertThat(response(0, Duration.ofSeconds(60))
                            .path("result")
                            .path("serverInfo")
                            .path("name")
                            .asString())
                    .isEqualTo("exxec");
            send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        }

        void send(String line) throws IOException {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        int callAsync(String tool, String args) throws IOException {
            int id = ++ids;
            send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                    + "\",\"arguments\":" + args + "}}");
            return id;
        }

        JsonNode call(String tool, String args, Duration within) throws Exception {
            return response(callAsync(tool, args), within);
        }

        JsonNode response(int id, Duration within) throws InterruptedException {
            long end = System.nanoTime() + within.toNanos();
            while (true) {
                JsonNode n = out.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(n)
                        .as("the answer to request %d within %s", id, within)
                        .isNotNull();
                if (n.path("id").asInt(-1) == id && !n.has("method")) {
                    return n;
                }
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** What a server holds: a background process, a session interpreter, a running call, a workspace. */
    private record Held(long process, long interpreter, long call, Path workspace) {
        void assertGone() {
            for (long pid : List.of(process, interpreter, call)) {
                await().atMost(Duration.ofSeconds(5))
                        .alias("process " + pid + " is gone")
                        .until(() ->
                                ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
            }
            await().atMost(Duration.ofSeconds(5))
                    .alias("the workspace " + workspace + " is gone")
                    .until(() -> !Files.exists(workspace));
        }
    }

    private static Held hold(Child c) throws Exception {
        long process = structured(c.call("start_process", "{\"command\":\"sleep 200\"}", Duration.ofSeconds(30)))
                .path("pid")
                .asLong();
        long interpreter = structured(c.call(
                        "execute_code",
                        "{\"code\":\"import os\\n_result = os.getpid()\",\"session\":\"s\"}",
                        Duration.ofSeconds(30)))
                .path("result")
                .asLong();
        Path workspace = Path.of(structured(c.call("run_command", "{\"command\":\"pwd\"}", Duration.ofSeconds(30)))
                .path("stdout")
                .asString()
                .trim());
        c.callAsync("run_command", "{\"command\":\"echo $$ > call.pid; exec sleep 300\",\"timeout\":600}");
        Path pidFile = workspace.resolve("call.pid");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.isRegularFile(pidFile)
                        && Files.readString(pidFile).endsWith("\n"));
        long call = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(List.of(process, interpreter, call))
                .allMatch(pid -> ProcessHandle.of(pid).isPresent());
        assertThat(workspace).isDirectory();
        return new Held(process, interpreter, call, workspace);
    }

    @Test
    void stdioAnswersBesideAQuietProcessAndTheEndOfStdinLeavesNothing(@TempDir Path dir) throws Exception {
        try (Child c = new Child(dir.resolve("stderr.log"))) {
            c.call("start_process", "{\"command\":\"sleep 200\"}", Duration.ofSeconds(30));
            Thread.sleep(3_000); // quiet: with two carriers, pinned readers would have frozen the server
            long start = System.nanoTime();
            JsonNode hi = c.call("run_command", "{\"command\":\"echo hi\",\"timeout\":5}", Duration.ofSeconds(6));
            assertThat(structured(hi).path("stdout").asString()).isEqualTo("hi\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            Held held = hold(c);
            long closing = System.nanoTime();
            c.in.close();
            assertThat(c.process.waitFor(10, TimeUnit.SECONDS))
                    .as("the server ends when stdin closes, while a call runs; log:%n%s", log(dir))
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(10));
            held.assertGone();
        }
    }

    @Test
    void sigtermLeavesNothing(@TempDir Path dir) throws Exception {
        try (Child c = new Child(dir.resolve("stderr.log"))) {
            Held held = hold(c);
            c.process.toHandle().destroy(); // SIGTERM, stdin left open
            assertThat(c.process.waitFor(20, TimeUnit.SECONDS))
                    .as("the server ends on SIGTERM; log:%n%s", log(dir))
                    .isTrue();
            held.assertGone();
        }
    }

    @Test
    void sigtermWhileStdinEndsLeavesNothing(@TempDir Path dir) throws Exception {
        try (Child c = new Child(dir.resolve("stderr.log"))) {
            Held held = hold(c);
            // SIGTERM and the end of stdin at once (Process.destroy closes the pipes too): the shutdown
            // hook waits for the close the end of stdin began, rather than letting the JVM end mid-way.
            c.process.destroy();
            assertThat(c.process.waitFor(20, TimeUnit.SECONDS))
                    .as("the server ends on SIGTERM; log:%n%s", log(dir))
                    .isTrue();
            held.assertGone();
        }
    }

    private static String log(Path dir) throws IOException {
        File f = dir.resolve("stderr.log").toFile();
        return f.exists() ? Files.readString(f.toPath()) : "";
    }

    @Test
    void deleteStopsTheSessionsCallsAtOnceAndOtherClientsGoOn() throws Exception {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        try (var endpoint = server.serveHttp("127.0.0.1", 0, null)) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            RawHttpMcp b = RawHttpMcp.open(endpoint.uri());
            long process = structured(a.call("start_process", "{\"command\":\"sleep 300\"}"))
                    .path("pid")
                    .asLong();
            CompletableFuture<JsonNode> running = a.callAsync(
                    a.nextId(), "run_command", "{\"command\":\"echo $$ > a.pid; exec sleep 300\",\"timeout\":600}");
            long call = -1;
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (call < 0 && System.nanoTime() < until) {
                JsonNode read = b.call("read_file", "{\"path\":\"a.pid\"}");
                String content = structured(read).path("content").asString("");
                if (content.endsWith("\n")) {
                    call = Long.parseLong(content.trim());
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(call).as("the call wrote its pid").isPositive();

            long start = System.nanoTime();
            assertThat(a.delete()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            long callPid = call;
            await().atMost(Duration.ofSeconds(2))
                    .until(() ->
                            ProcessHandle.of(callPid).map(p -> !p.isAlive()).orElse(true));
            await().atMost(Duration.ofSeconds(2))
                    .until(() ->
                            ProcessHandle.of(process).map(p -> !p.isAlive()).orElse(true));
            running.handle((r, e) -> null).get(10, TimeUnit.SECONDS);
            assertThat(structured(b.call("run_command", "{\"command\":\"echo b\"}"))
                            .path("stdout")
                            .asString())
                    .isEqualTo("b\n");
        }
    }

    @Test
    void oneQuietProcessFreezesNothingOverHttp() throws Exception {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        try (var endpoint = server.serveHttp("127.0.0.1", 0, null)) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            structured(a.call("start_process", "{\"command\":\"sleep 200\"}"));
            Thread.sleep(3_000);
            long start = System.nanoTime();
            RawHttpMcp b = RawHttpMcp.open(endpoint.uri()); // another client's initialize
            JsonNode hi = b.call("run_command", "{\"command\":\"echo hi\",\"timeout\":5}");
            assertThat(structured(hi).path("stdout").asString()).isEqualTo("hi\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void oneClientsLongSessionCallNeverBlocksAnothersSession() throws Exception {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .namedSessionIdleTimeout(Duration.ofSeconds(1))
                .build();
        try (var endpoint = server.serveHttp("127.0.0.1", 0, null)) {
            RawHttpMcp a = RawHttpMcp.open(endpoint.uri());
            RawHttpMcp b = RawHttpMcp.open(endpoint.uri());
            CompletableFuture<JsonNode> slow = a.callAsync(
                    a.nextId(),
                    "execute_code",
                    "{\"code\":\"import time\\ntime.sleep(8)\\n_result = 'slept'\",\"session\":\"long\",\"timeout\":30}");
            Thread.sleep(2_500); // longer than the idle limit: a session whose call runs is not idle
            long start = System.nanoTime();
            JsonNode quick = b.call("execute_code", "{\"code\":\"_result = 2\",\"session\":\"quick\"}");
            assertThat(structured(quick).path("result").asInt()).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("another client's session call waited for the long one")
                    .isLessThan(Duration.ofSeconds(4));
            JsonNode done = slow.get(30, TimeUnit.SECONDS);
            assertThat(structured(done).path("result").asString())
                    .as("the long call was not cut by the other's lookup: %s", done)
                    .isEqualTo("slept");
        }
    }
}
