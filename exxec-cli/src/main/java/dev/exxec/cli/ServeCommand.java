package dev.exxec.cli;

import dev.exxec.ConfigException;
import dev.exxec.mcp.ExxecMcpServer;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.ExecutionProvider;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code exxec serve}: an MCP server whose tools run code and commands in the environment. */
@Command(
        name = "serve",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Serves the Model Context Protocol: an agent connects and runs code and commands in the environment"
                    + " through the tools execute_code, run_command, read_file, write_file, list_files,"
                    + " start_process, process_output and kill_process.",
            "Over stdio by default (stdout carries only protocol; notes and logs go to stderr), or over"
                    + " streamable HTTP at http://ADDRESS:PORT/mcp with --http. When stderr is a terminal, the"
                    + " server says there at start what it serves and how a client connects.",
            "One environment for the server, made at start; with --per-session one per MCP session, closed when"
                    + " the session ends. Everything the environments started is killed when the server stops"
                    + " (end of stdin, SIGTERM, Ctrl-C).",
            "Every resource a client can make is capped (the --max-* options; a call beyond a cap gets an error"
                    + " naming it), idle HTTP sessions expire with everything they started, and every call has a"
                    + " finite deadline (its 'timeout', else --timeout; at most --max-timeout)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  exxec serve                                  # stdio, the local provider",
            "  exxec serve --provider sandbox --set network=none",
            "  EXXEC_MCP_TOKEN=secret exxec serve --http 8765 --per-session",
            "",
            "An MCP client's configuration (Claude Desktop and others):",
            "  {\"mcpServers\": {\"exxec\": {\"command\": \"/path/to/exxec\", \"args\": [\"serve\", \"--provider\", \"sandbox\"]}}}"
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the client closed stdin (stdio), or the server was stopped (HTTP)",
            "125:the server did not start: usage or configuration error, provider unavailable, environment did not"
                    + " start, port in use (exxec: ... on stderr)"
        })
final class ServeCommand implements Callable<Integer> {
    /** The variable that holds the bearer token when --token is not given. */
    static final String TOKEN_VARIABLE = "EXXEC_MCP_TOKEN";

    @ParentCommand
    @Nullable
    ExxecCommand parent;

    @Spec
    CommandLine.Model.@Nullable CommandSpec spec;

    @Option(
            names = "--http",
            paramLabel = "PORT",
            description = "Serve streamable HTTP on this port (0 picks a free one) instead of stdio.")
    @Nullable
    Integer httpPort;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description = "Address to listen on with --http; default 127.0.0.1 (this machine only).")
    String bind = "127.0.0.1";

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "With --http, clients must send 'Authorization: Bearer TOKEN'. Default: the variable "
                    + TOKEN_VARIABLE + " if set (better: a command line is visible to other users).")
    @Nullable
    String token;

    @Option(
            names = "--per-session",
            description = "One environment per MCP session (made on its first call) instead of one for the server.")
    boolean perSession;

    @Option(
            names = "--max-output",
            paramLabel = "CHARS",
            description = "Most characters of each output stream (and of a file) one tool result carries; beyond,"
                    + " the text is cut and says so. Default 100000.")
    int maxOutput = 100_000;

    @Option(
            names = "--max-sessions",
            paramLabel = "N",
            description =
                    "Most MCP sessions open at once over HTTP; an initialize beyond is refused (503). Default 32.")
    int maxSessions = 32;

    @Option(
            names = "--session-idle",
            paramLabel = "DURATION",
            description = "An HTTP session without a request or a running call for this long expires: its calls,"
                    + " environment, sessions and processes are closed. Seconds or 30s, 15m, 1h. Default 15m.")
    String sessionIdle = "15m";

    @Option(
            names = "--max-named-sessions",
            paramLabel = "N",
            description = "Most named interpreter sessions (execute_code with 'session') open at once. Default 16.")
    int maxNamedSessions = 16;

    @Option(
            names = "--named-session-idle",
            paramLabel = "DURATION",
            description = "A named session unused for this long is closed. Default 10m.")
    String namedSessionIdle = "10m";

    @Option(
            names = "--max-processes",
            paramLabel = "N",
            description = "Most background processes (start_process) running at once, in all. Default 64.")
    int maxProcesses = 64;

    @Option(
            names = "--max-processes-per-session",
            paramLabel = "N",
            description = "Most background processes running at once in one MCP session. Default 16.")
    int maxProcessesPerSession = 16;

    @Option(
            names = "--process-retention",
            paramLabel = "DURATION",
            description = "A background process that ended stays readable (process_output) this long, then is"
                    + " dropped. Default 10m.")
    String processRetention = "10m";

    @Option(
            names = "--max-calls",
            paramLabel = "N",
            description = "Most tool calls running at once, in all. Default 64.")
    int maxCalls = 64;

    @Option(
            names = "--max-calls-per-session",
            paramLabel = "N",
            description = "Most tool calls running at once in one MCP session. Default 32.")
    int maxCallsPerSession = 32;

    @Option(
            names = "--max-timeout",
            paramLabel = "DURATION",
            description = "The longest deadline a call may ask for; a larger 'timeout' is refused. Default 1h.")
    String maxTimeout = "1h";

    @Option(
            names = "--http-idle-timeout",
            paramLabel = "DURATION",
            description = "With --http, a connection that sends nothing this long while a request is due (half a"
                    + " request, or none after the last) is closed. Default 30s.")
    String httpIdleTimeout = "30s";

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "With --http, most connections open at once; more wait to be accepted. Default 256.")
    int maxConnections = 256;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() throws InterruptedException {
        StdIo io = ExxecCommand.io(parent);
        Target target = config.target();
        target.resolve();
        if (maxOutput <= 0) {
            throw new UsageException("--max-output must be positive, got " + maxOutput);
        }
        Duration max = duration("--max-timeout", maxTimeout);
        Duration defaultTimeout = Duration.ofSeconds(30);
        if (target.config().get("timeout") != null) {
            defaultTimeout =
                    duration("--timeout", String.valueOf(target.config().get("timeout")));
        }
        if (defaultTimeout.compareTo(max) > 0) {
            throw new UsageException("--timeout (" + defaultTimeout.toMillis() / 1000.0 + " s) must not exceed"
                    + " --max-timeout (" + max.toMillis() / 1000.0 + " s)");
        }
        if (httpPort == null && token != null) {
            throw new UsageException("--token applies to --http only: a stdio server has one client, its parent");
        }
        ExxecMcpServer server = ExxecMcpServer.builder(target::open)
                .perSession(perSession)
                .maxOutputChars(maxOutput)
                .version(VersionProvider.version())
                .maxSessions(count("--max-sessions", maxSessions))
                .sessionIdleTimeout(duration("--session-idle", sessionIdle))
                .maxNamedSessions(count("--max-named-sessions", maxNamedSessions))
                .namedSessionIdleTimeout(duration("--named-session-idle", namedSessionIdle))
                .maxProcesses(count("--max-processes", maxProcesses))
                .maxProcessesPerSession(count("--max-processes-per-session", maxProcessesPerSession))
                .processRetention(duration("--process-retention", processRetention))
                .maxCalls(count("--max-calls", maxCalls))
                .maxCallsPerSession(count("--max-calls-per-session", maxCallsPerSession))
                .defaultTimeout(defaultTimeout)
                .maxTimeout(max)
                .httpIdleTimeout(duration("--http-idle-timeout", httpIdleTimeout))
                .maxConnections(count("--max-connections", maxConnections))
                .build();
        // SIGTERM and Ctrl-C stop the calls and kill everything before the JVM ends, waiting at most this.
        server.closeOnShutdown(Duration.ofSeconds(10));
        if (httpPort == null) {
            if (io.tty().stderr()) {
                banner(
                        io.err(),
                        target,
                        "over stdio",
                        List.of(
                                "an MCP client starts this server itself, with a configuration such as (Claude Desktop"
                                        + " and others):",
                                "  " + stdioClientConfig(launcher(), originalArgs()),
                                "stdout carries only the protocol; end of input (Ctrl-D) or Ctrl-C stops"));
            }
            // stdout is the protocol channel: whatever else might print to System.out goes to stderr.
            PrintStream stdout = System.out;
            System.setOut(io.err());
            try {
                server.serveStdio(io.in(), io.out());
            } finally {
                System.setOut(stdout);
            }
            return ExitCodes.OK;
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new UsageException("--http expects a port from 0 to 65535, got " + httpPort);
        }
        String bearer = token != null ? token : System.getenv(TOKEN_VARIABLE);
        if (bearer != null && bearer.isBlank()) {
            throw new UsageException("the bearer token is empty");
        }
        if (bearer == null && !loopback(bind)) {
            io.err()
                    .println("exxec: warning: serving on " + bind + " without a bearer token: anyone who reaches"
                            + " this address can run code here (set --token or " + TOKEN_VARIABLE + ")");
        }
        ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp(bind, httpPort, bearer);
        Runtime.getRuntime().addShutdownHook(new Thread(endpoint::close, "exxec-serve-shutdown"));
        String served = "at " + endpoint.uri() + (bearer != null ? " (bearer token required)" : "");
        if (io.tty().stderr()) {
            banner(
                    io.err(),
                    target,
                    served,
                    List.of(
                            "connect an MCP client to that URL (streamable HTTP), for example with:",
                            "  " + httpClientConfig(endpoint.uri().toString(), bearer != null),
                            "Ctrl-C stops"));
        } else {
            io.err().println("exxec: serving MCP " + served + "; Ctrl-C stops");
        }
        endpoint.awaitClose();
        return ExitCodes.OK;
    }

    /** What a human at a terminal reads at start: what is served, with what, and how to connect. */
    private void banner(PrintStream err, Target target, String where, List<String> lines) {
        err.println("exxec: serving MCP " + where + " with the "
                + target.resolve().id() + " provider" + (perSession ? ", one environment per session" : ""));
        for (String line : lines) {
            err.println("exxec: " + line);
        }
        err.flush();
    }

    /** An {@code mcpServers} entry that starts this server as it was started. */
    static String stdioClientConfig(String command, List<String> args) {
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("command", command);
        server.put("args", args);
        return JsonOutput.write(Map.of("mcpServers", Map.of("exxec", server)));
    }

    /** An {@code mcpServers} entry that connects to this server over HTTP; the token is never printed. */
    static String httpClientConfig(String url, boolean token) {
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("type", "http");
        server.put("url", url);
        if (token) {
            server.put("headers", Map.of("Authorization", "Bearer <your token>"));
        }
        return JsonOutput.write(Map.of("mcpServers", Map.of("exxec", server)));
    }

    /** The arguments this invocation was given, from {@code serve} on. */
    private List<String> originalArgs() {
        if (spec == null) {
            return List.of("serve");
        }
        List<String> all = spec.root().commandLine().getParseResult().originalArgs();
        int at = all.indexOf("serve");
        return at < 0 ? List.of("serve") : List.copyOf(all.subList(at, all.size()));
    }

    /**
     * The {@code exxec} launcher of the checkout these classes come from (they sit in {@code
     * exxec-cli/target}), else plain {@code exxec}.
     */
    static String launcher() {
        try {
            Path classes = Path.of(ServeCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path root = classes.getParent() == null || classes.getParent().getParent() == null
                    ? null
                    : classes.getParent().getParent().getParent();
            if (root != null
                    && Files.isRegularFile(root.resolve("exxec"))
                    && Files.isExecutable(root.resolve("exxec"))) {
                return root.resolve("exxec").toString();
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source to go by (a custom class loader): the plain name below
        }
        return "exxec";
    }

    private static int count(String flag, int value) {
        if (value <= 0) {
            throw new UsageException(flag + " must be positive, got " + value);
        }
        return value;
    }

    /** A positive duration: seconds (30, 1.5) or with a unit (250ms, 30s, 15m, 1h). */
    static Duration duration(String flag, String value) {
        Duration d;
        try {
            d = new ConfigReader("serve", Map.of(flag, value), List.of(new ExecutionProvider.ConfigKey(flag, "")))
                    .duration(flag)
                    .orElseThrow();
        } catch (ConfigException e) {
            throw new UsageException(
                    flag + " expects seconds (30, 1.5) or a duration (250ms, 30s, 15m, 1h), got '" + value + "'");
        }
        if (d.isZero()) {
            throw new UsageException(flag + " must be more than 0: exxec serve keeps every deadline and idle"
                    + " limit finite, got '" + value + "'");
        }
        return d;
    }

    private static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
