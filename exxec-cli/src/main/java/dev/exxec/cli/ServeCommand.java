package dev.exxec.cli;

import dev.exxec.mcp.ExxecMcpServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

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
                    + " streamable HTTP at http://ADDRESS:PORT/mcp with --http.",
            "One environment for the server, made at start; with --per-session one per MCP session, closed when"
                    + " the session ends. Everything the environments started is killed when the server stops."
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
            "2:the server did not start: usage or configuration error, provider unavailable, environment did not"
                    + " start, port in use (exxec: ... on stderr)"
        })
final class ServeCommand implements Callable<Integer> {
    /** The variable that holds the bearer token when --token is not given. */
    static final String TOKEN_VARIABLE = "EXXEC_MCP_TOKEN";

    @ParentCommand
    @Nullable
    ExxecCommand parent;

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
        ExxecMcpServer server = ExxecMcpServer.builder(target::open)
                .perSession(perSession)
                .maxOutputChars(maxOutput)
                .version(VersionProvider.version())
                .build();
        if (httpPort == null) {
            if (token != null) {
                throw new UsageException("--token applies to --http only: a stdio server has one client, its parent");
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
        io.err()
                .println("exxec: serving MCP at " + endpoint.uri() + (bearer != null ? " (bearer token required)" : "")
                        + "; Ctrl-C stops");
        endpoint.awaitClose();
        return ExitCodes.OK;
    }

    private static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
