package dev.exxec.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.ConfigException;
import dev.exxec.EnvironmentStartException;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.UnsupportedCapabilityException;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code mcp} provider: round trips through {@code exxec serve}, and a foreign MCP server. */
class McpProviderTest {

    @Test
    void roundTripOverStdioThroughExxecServe() {
        try (ExecutionEnvironment env = Exxec.environment("mcp", Map.of("command", StdioServerMain.command()))) {
            Capabilities caps = env.capabilities();
            Set<Language> served;
            try (ExecutionEnvironment local = Exxec.environment("local", Map.of())) {
                served = local.capabilities().languages();
            }
            assertThat(caps.languages())
                    .as("what the server's local environment really runs, TypeScript only with a runner")
                    .isEqualTo(served)
                    .contains(Language.PYTHON, Language.JAVASCRIPT);
            assertThat(caps.commands()).isTrue();
            assertThat(caps.streaming())
                    .as("the server is exxec: its progress carries output")
                    .isTrue();
            assertThat(caps.files()).isFalse();
            assertThat(caps.processes()).isFalse();

            ExecutionResult ok = env.execute("print('hi')\ndef main():\n    return {'answer': 6 * 7}\n");
            assertThat(ok.success()).as(ok.toString()).isTrue();
            assertThat(ok.result()).isEqualTo(Map.of("answer", 42));
            assertThat(ok.stdout()).isEqualTo("hi\n");

            ExecutionResult failed = env.execute(Code.javascript("null.x"));
            assertThat(failed.success()).isFalse();
            assertThat(failed.errorType()).isEqualTo("TypeError");

            ExecutionResult command = env.executeCommand("echo out; echo err >&2; exit 3");
            assertThat(command.exitCode()).isEqualTo(3);
            assertThat(command.stdout()).isEqualTo("out\n");
            assertThat(command.stderr()).isEqualTo("err\n");
            assertThat(command.errorType()).isEqualTo("ProcessExitError");

            List<ExecutionEvent> events = new ArrayList<>();
            try (EventStream s =
                    env.streamCode("import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.3)")) {
                s.forEach(events::add);
            }
            assertThat(events.get(0)).isInstanceOf(ExecutionEvent.Started.class);
            assertThat(events)
                    .filteredOn(e -> e instanceof ExecutionEvent.Output)
                    .extracting(e -> ((ExecutionEvent.Output) e).text())
                    .containsExactly("0\n", "1\n", "2\n");
            assertThat(events.get(events.size() - 1)).isInstanceOf(ExecutionEvent.Completed.class);
        }
    }

    @Test
    void roundTripOverHttpWithABearerToken() {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        try (ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp("127.0.0.1", 0, "t0ken")) {
            try (ExecutionEnvironment env = Exxec.environment(
                    "mcp", Map.of("url", endpoint.uri().toString(), "token", "t0ken", "timeout", "10"))) {
                ExecutionResult r = env.execute("_result = 42");
                assertThat(r.result()).isEqualTo(42);
                assertThat(env.capabilities().location()).isEqualTo(dev.exxec.Location.REMOTE);
                ExecutionResult named = env.execute(
                        dev.exxec.Code.python("x = 1\nraise ValueError('no')\n").named("examples/failing.py"));
                assertThat(named.traceback())
                        .as("the name crosses exxec serve")
                        .contains("File \"examples/failing.py\", line 2");
            }
            assertThatThrownBy(() -> Exxec.environment(
                            "mcp", Map.of("url", endpoint.uri().toString(), "token", "wrong")))
                    .isInstanceOf(EnvironmentStartException.class)
                    .hasMessageContaining(endpoint.uri().toString());
        }
    }

    @Test
    void aServerAdvertisesOnlyTheLanguagesItsEnvironmentRuns(@TempDir Path bin) throws IOException {
        // The server's JVM finds Python and Node.js on its PATH, and no TypeScript runner.
        Files.createSymbolicLink(bin.resolve("python3"), Path.of("/usr/bin/python3"));
        Files.createSymbolicLink(bin.resolve("node"), Path.of("/usr/bin/node"));
        for (List<String> mode : List.of(List.of("stdio"), List.of("stdio", "perSession"))) {
            Map<String, Object> config = Map.of(
                    "command", StdioServerMain.command(mode.toArray(String[]::new)),
                    "serverEnv.PATH", bin.toString());
            try (ExecutionEnvironment env = Exxec.environment("mcp", config)) {
                assertThat(env.capabilities().languages())
                        .as("%s", mode)
                        .containsExactlyInAnyOrder(Language.PYTHON, Language.JAVASCRIPT);
                assertThatThrownBy(() -> env.execute(Code.typescript("let _result: number = 1")))
                        .isInstanceOf(UnsupportedCapabilityException.class)
                        .hasMessageContaining("typescript");
                assertThat(env.execute(Code.javascript("let _result = 6 * 7")).result())
                        .isEqualTo(42);
            }
        }
    }

    @Test
    void closingAStreamCancelsTheRemoteCallAndKillsWhatItRan() throws Exception {
        ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .build();
        try (ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp("127.0.0.1", 0, null);
                ExecutionEnvironment env =
                        Exxec.environment("mcp", Map.of("url", endpoint.uri().toString()))) {
            EventStream s = env.streamCode("import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(300)");
            long pid = -1;
            while (pid < 0) {
                ExecutionEvent e = s.next(java.time.Duration.ofSeconds(30)).orElseThrow();
                if (e instanceof ExecutionEvent.Output o) {
                    pid = Long.parseLong(o.text().trim());
                }
            }
            long running = pid;
            assertThat(ProcessHandle.of(running)).isPresent();
            s.close();
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .until(() ->
                            ProcessHandle.of(running).map(p -> !p.isAlive()).orElse(true));
            assertThat(env.execute("_result = 1").result())
                    .as("the session goes on")
                    .isEqualTo(1);
        }
    }

    @Test
    void configurationErrorsNameTheKey() {
        assertThatThrownBy(() -> Exxec.environment("mcp", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'command'")
                .hasMessageContaining("'url'");
        assertThatThrownBy(() -> Exxec.environment("mcp", Map.of("url", "ftp://x/mcp")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http");
        assertThatThrownBy(() -> Exxec.environment("mcp", Map.of("command", "x", "inheritEnv", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("inheritEnv");
        assertThatThrownBy(() -> Exxec.environment("mcp", Map.of("command", "x", "stopOnOutputLimit", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot stop a remote call at the output limit");
        assertThat(McpConfig.commandLine("java -cp 'a b' \"c\\\"d\" e\\ f"))
                .containsExactly("java", "-cp", "a b", "c\"d", "e f");
    }

    @Test
    void aForeignServerWithOtherNamesDeclaresOnlyWhatItsToolGives() throws Exception {
        // A minimal MCP server of another kind: one tool 'run' that takes 'source' and answers text.
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpJsonDefaults.getMapper())
                .mcpEndpoint("/rpc")
                .build();
        McpSchema.Tool run = McpSchema.Tool.builder()
                .name("run")
                .description("runs Python")
                .inputSchema(new McpSchema.JsonSchema(
                        "object", Map.of("source", Map.of("type", "string")), List.of("source"), null, null, null))
                .build();
        McpSyncServer foreign = McpServer.sync(transport)
                .serverInfo("foreign", "1")
                .capabilities(
                        McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(new McpServerFeatures.SyncToolSpecification(run, (exchange, request) -> {
                    String source = (String) request.arguments().get("source");
                    boolean bad = source.contains("raise");
                    return McpSchema.CallToolResult.builder()
                            .addTextContent(bad ? "Traceback: boom" : "ran " + source.length() + " chars")
                            .isError(bad)
                            .build();
                }))
                .build();
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(transport);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/rpc");
        jetty.setHandler(context);
        jetty.start();
        try (ExecutionEnvironment env = Exxec.environment(
                "mcp",
                Map.of(
                        "url", "http://127.0.0.1:" + connector.getLocalPort() + "/rpc",
                        "codeTool", "run",
                        "codeArgument", "source"))) {
            Capabilities caps = env.capabilities();
            assertThat(caps.languages()).isEqualTo(Set.of(Language.PYTHON));
            assertThat(caps.commands()).isFalse();
            assertThat(caps.streaming()).isFalse();

            ExecutionResult ok = env.execute("print(1)");
            assertThat(ok.success()).isTrue();
            assertThat(ok.stdout()).isEqualTo("ran 8 chars");

            ExecutionResult failed = env.execute("raise X");
            assertThat(failed.success()).isFalse();
            assertThat(failed.errorType()).isEqualTo("RemoteToolError");
            assertThat(failed.error()).isEqualTo("Traceback: boom");

            assertThatThrownBy(() -> env.executeCommand("ls")).isInstanceOf(UnsupportedCapabilityException.class);
            assertThatThrownBy(() -> env.execute(Code.javascript("1")))
                    .isInstanceOf(UnsupportedCapabilityException.class);
        } finally {
            foreign.close();
            jetty.stop();
        }
    }
}
