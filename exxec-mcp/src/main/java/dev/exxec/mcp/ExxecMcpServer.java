package dev.exxec.mcp;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.mcp.internal.Environments;
import dev.exxec.mcp.internal.HttpGate;
import dev.exxec.mcp.internal.Limits;
import dev.exxec.mcp.internal.LineOutput;
import dev.exxec.mcp.internal.MessageTap;
import dev.exxec.mcp.internal.Serving;
import dev.exxec.mcp.internal.TappedInput;
import dev.exxec.mcp.internal.Tools;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * exxec as an MCP server: the tools {@code execute_code}, {@code run_command}, {@code read_file},
 * {@code write_file}, {@code list_files}, {@code start_process}, {@code process_output} and
 * {@code kill_process}, over one environment or one per MCP session.
 *
 * {@snippet :
 * ExxecMcpServer server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of())).build();
 * server.serveStdio(System.in, System.out); // returns when the client closes stdin
 * }
 *
 * <p>Failures of the code are tool results with {@code isError} and the {@link dev.exxec.ExecutionResult}
 * fields as structured content; malformed arguments and unknown tools are protocol errors. Output is
 * sent as progress and logging notifications while a call runs, and a client's
 * {@code notifications/cancelled} kills the call. The server owns the environments it makes and closes
 * them when a session ends (per-session mode over HTTP) and at {@link #close()}. Thread-safe.
 *
 * <p>Every resource a client can make is capped, and each cap refuses with an error that names it
 * (a tool result with {@code errorType} {@code LimitExceededError}, or over HTTP a {@code 503} to an
 * {@code initialize} beyond the session cap): sessions, named sessions, background processes and
 * concurrent calls. HTTP sessions that sit idle expire, and take their environment, calls and
 * processes with them; background processes that ended are dropped after a while; every call has a
 * finite deadline (a {@code timeout} of zero, below a millisecond, or above the maximum is refused).
 * The builder's settings and {@code exxec serve}'s flags set them.
 */
public final class ExxecMcpServer implements AutoCloseable {
    /** The HTTP path of the MCP endpoint. */
    public static final String HTTP_PATH = "/mcp";

    private static final Logger LOG = LoggerFactory.getLogger(ExxecMcpServer.class);

    private final Environments environments;
    private final Serving serving;
    private final boolean perSession;
    private final int maxOutputChars;
    private final int maxMessageBytes;
    private final String version;

    private ExxecMcpServer(Builder b) {
        this.environments = new Environments(b.environments, b.perSession);
        this.serving = new Serving(environments, b.limits());
        this.perSession = b.perSession;
        this.maxOutputChars = b.maxOutputChars;
        this.maxMessageBytes = b.maxMessageBytes;
        this.version = b.version;
    }

    /**
     * A builder.
     *
     * @param environments makes an environment; called once (shared) or once per session
     */
    public static Builder builder(Supplier<ExecutionEnvironment> environments) {
        return new Builder(environments);
    }

    private static McpJsonMapper json() {
        return McpJsonDefaults.getMapper();
    }

    private McpAsyncServer server(McpServer.AsyncSpecification<?> spec) {
        return spec.serverInfo("exxec", version)
                .instructions(
                        "Runs code (Python, JavaScript, TypeScript) and shell commands in an exxec execution environment,"
                                + " with a workspace for files and background processes.")
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .logging()
                        .build())
                .tools(new Tools(serving, maxOutputChars).specifications())
                // Arguments are checked by the tools themselves: a bad one is a protocol error naming it,
                // where the SDK's check would answer with a tool result.
                .validateToolInputs(false)
                // A call has its own deadline; the SDK's must not cut it short.
                .requestTimeout(Duration.ofDays(1))
                .build();
    }

    /**
     * Serves one client over newline-delimited JSON-RPC on these streams until the client closes
     * {@code in}, then closes the environment. Nothing but protocol is written to {@code out}.
     *
     * @throws dev.exxec.ExxecException when the environment cannot start (shared mode: before serving)
     */
    public void serveStdio(InputStream in, OutputStream out) throws InterruptedException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        environments.startShared();
        MessageTap tap = new MessageTap(serving.calls());
        LineOutput output = new LineOutput(out);
        TappedInput input = new TappedInput(
                in,
                maxMessageBytes,
                line -> {
                    if (line.isBlank()) {
                        return null;
                    }
                    String why = MessageTap.notAMessage(line);
                    if (why == null) {
                        return tap.inbound("stdio", line);
                    }
                    answerMalformed(output, why);
                    return null;
                },
                () -> answerMalformed(
                        output, "a message larger than " + maxMessageBytes + " bytes was dropped unread"));
        McpAsyncServer server = server(McpServer.async(new StdioServerTransportProvider(json(), input, output)));
        try {
            input.ended().await();
        } finally {
            // Close wins: the calls are stopped and everything they started is killed first, then the
            // transport is let go (without waiting for answers nobody reads any more).
            try {
                close();
            } finally {
                server.close();
            }
        }
    }

    private static void answerMalformed(LineOutput output, String why) {
        try {
            output.writeLine(MessageTap.parseError(why));
        } catch (IOException e) {
            LOG.debug("cannot answer a malformed message", e);
        }
    }

    /**
     * Starts serving streamable HTTP at {@code http://host:port}{@value #HTTP_PATH}; returns once it
     * listens.
     *
     * @param host the address to bind, e.g. {@code 127.0.0.1}
     * @param port the port; 0 picks a free one
     * @param bearerToken the token clients must send as {@code Authorization: Bearer TOKEN}; null for none
     * @throws dev.exxec.ExxecException when the environment cannot start (shared mode)
     * @throws IllegalStateException when the port cannot be bound
     */
    public HttpEndpoint serveHttp(String host, int port, @Nullable String bearerToken) {
        environments.startShared();
        Limits limits = serving.limits();
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(json())
                .mcpEndpoint(HTTP_PATH)
                .maxRequestSize(maxMessageBytes)
                // The SDK forgets a session with no request between two of its sweeps: so that it never
                // forgets one that is only waiting for a long call (the longest a call can take is the
                // maximum deadline; process_output waits at most 5 min), its sweeps are further apart
                // than that. Sessions expire here first; their ids are refused in front of the SDK.
                .sessionSweepInterval(
                        limits.sessionIdle().plus(limits.maxTimeout()).plus(Duration.ofMinutes(5)))
                .build();
        McpAsyncServer server = server(McpServer.async(transport));
        serving.expireIdleHttpSessions();
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("exxec-mcp-http");
        threads.setVirtualThreadsExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        Server jetty = new Server(threads);
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost(host);
        connector.setPort(port);
        // A connection that sends nothing (half a request, or none after the last) is closed after this;
        // a request that waits for its call's answer sends nothing either, but has no read pending
        // and stays.
        connector.setIdleTimeout(limits.httpIdleTimeout().toMillis());
        jetty.addConnector(connector);
        jetty.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder servlet = new ServletHolder(transport);
        servlet.setAsyncSupported(true);
        context.addServlet(servlet, HTTP_PATH);
        FilterHolder gate =
                new FilterHolder(new HttpGate(bearerToken, new MessageTap(serving.calls()), serving, maxMessageBytes));
        gate.setAsyncSupported(true);
        context.addFilter(gate, "/*", EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            server.close();
            close();
            throw new IllegalStateException(
                    "cannot serve MCP over HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort()
                + HTTP_PATH);
        return new HttpEndpoint(uri, () -> {
            // Close wins: calls stopped and everything killed first, then the connections let go.
            try {
                close();
            } finally {
                try {
                    server.close();
                } finally {
                    try {
                        jetty.stop();
                    } catch (Exception e) {
                        throw new IllegalStateException("stopping the HTTP server failed: " + e.getMessage(), e);
                    }
                }
            }
        });
    }

    /** Whether each MCP session gets its own environment. */
    public boolean perSession() {
        return perSession;
    }

    /** How many environments are open now. */
    public int openEnvironments() {
        return environments.open();
    }

    /**
     * Closes this server when the JVM shuts down (SIGTERM, Ctrl-C, {@code System.exit}): every call
     * stopped, every environment, named session and background process killed and every workspace
     * removed before the JVM ends; waits at most {@code wait} for that, so a stuck close cannot hold
     * the JVM up.
     *
     * @return the hook, registered
     */
    public Thread closeOnShutdown(Duration wait) {
        Objects.requireNonNull(wait, "wait");
        Thread hook = new Thread(
                () -> {
                    Thread closing = Thread.ofPlatform()
                            .daemon()
                            .name("exxec-mcp-shutdown-close")
                            .start(this::close);
                    try {
                        closing.join(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (closing.isAlive()) {
                        LOG.warn("the MCP server did not close within {}; exiting anyway", wait);
                    }
                },
                "exxec-mcp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** HTTP sessions open now. */
    public int openSessions() {
        return serving.usage().sessions();
    }

    /** Tool calls running now. */
    public int runningCalls() {
        return serving.usage().runningCalls();
    }

    /**
     * Stops every running call and closes every environment the server made (killing what runs in
     * them, sessions and background processes included); idempotent.
     */
    @Override
    public void close() {
        serving.close();
    }

    /** A running HTTP server; closing it stops serving and closes the environments. */
    public static final class HttpEndpoint implements AutoCloseable {
        private final URI uri;
        private final Runnable stop;
        private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

        HttpEndpoint(URI uri, Runnable stop) {
            this.uri = uri;
            this.stop = stop;
        }

        /** The MCP endpoint, e.g. {@code http://127.0.0.1:8765/mcp}. */
        public URI uri() {
            return uri;
        }

        /** The port it listens on. */
        public int port() {
            return uri.getPort();
        }

        /** Waits until {@link #close()} was called (by another thread or a shutdown hook). */
        public void awaitClose() throws InterruptedException {
            stopped.await();
        }

        /** Waits up to {@code timeout} for {@link #close()}; whether it was called. */
        public boolean awaitClose(Duration timeout) throws InterruptedException {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized void close() {
            if (stopped.getCount() == 0) {
                return;
            }
            try {
                stop.run();
            } finally {
                stopped.countDown();
            }
        }
    }

    /** Settings of a server. */
    public static final class Builder {
        private final Supplier<ExecutionEnvironment> environments;
        private boolean perSession;
        private int maxOutputChars = 100_000;
        private int maxMessageBytes = 16 << 20;
        private String version = "dev";
        private int maxSessions = Limits.DEFAULTS.maxSessions();
        private Duration sessionIdle = Limits.DEFAULTS.sessionIdle();
        private int maxNamedSessions = Limits.DEFAULTS.maxNamedSessions();
        private Duration namedSessionIdle = Limits.DEFAULTS.namedSessionIdle();
        private int maxProcesses = Limits.DEFAULTS.maxProcesses();
        private int maxProcessesPerSession = Limits.DEFAULTS.maxProcessesPerSession();
        private Duration processRetention = Limits.DEFAULTS.processRetention();
        private int maxCalls = Limits.DEFAULTS.maxCalls();
        private int maxCallsPerSession = Limits.DEFAULTS.maxCallsPerSession();
        private Duration defaultTimeout = Limits.DEFAULTS.defaultTimeout();
        private Duration maxTimeout = Limits.DEFAULTS.maxTimeout();
        private Duration httpIdleTimeout = Limits.DEFAULTS.httpIdleTimeout();
        private int maxConnections = Limits.DEFAULTS.maxConnections();

        private Builder(Supplier<ExecutionEnvironment> environments) {
            this.environments = Objects.requireNonNull(environments, "environments");
        }

        /** One environment per MCP session instead of one for the server; default false. */
        public Builder perSession(boolean perSession) {
            this.perSession = perSession;
            return this;
        }

        /**
         * The most characters of each output stream, and of a file, one tool result carries (default
         * 100 000); beyond it the text is cut and says so, and notifications stop.
         */
        public Builder maxOutputChars(int chars) {
            if (chars <= 0) {
                throw new IllegalArgumentException("maxOutputChars must be positive: " + chars);
            }
            this.maxOutputChars = chars;
            return this;
        }

        /** The largest message a client may send (an HTTP body, a stdio line), in bytes; default 16 MiB. */
        public Builder maxMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be positive: " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** The version the server reports in {@code initialize}. */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** MCP sessions open at once over HTTP; default 32. An {@code initialize} beyond is refused (503). */
        public Builder maxSessions(int sessions) {
            this.maxSessions = sessions;
            return this;
        }

        /**
         * How long an HTTP session may sit without a request and without a running call before it
         * expires, its calls stopped, its environment closed and its processes killed; default 15 min.
         */
        public Builder sessionIdleTimeout(Duration idle) {
            this.sessionIdle = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /** Named interpreter sessions open at once, over all clients; default 16. */
        public Builder maxNamedSessions(int sessions) {
            this.maxNamedSessions = sessions;
            return this;
        }

        /** How long a named session may sit unused before it is closed; default 10 min. */
        public Builder namedSessionIdleTimeout(Duration idle) {
            this.namedSessionIdle = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /** Background processes running at once, over all sessions; default 64. */
        public Builder maxProcesses(int processes) {
            this.maxProcesses = processes;
            return this;
        }

        /** Background processes running at once in one MCP session; default 16. */
        public Builder maxProcessesPerSession(int processes) {
            this.maxProcessesPerSession = processes;
            return this;
        }

        /** How long a background process that ended stays readable before it is dropped; default 10 min. */
        public Builder processRetention(Duration retention) {
            this.processRetention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /** Tool calls running at once, over all sessions; default 64. */
        public Builder maxCalls(int calls) {
            this.maxCalls = calls;
            return this;
        }

        /** Tool calls running at once in one MCP session; default 32. */
        public Builder maxCallsPerSession(int calls) {
            this.maxCallsPerSession = calls;
            return this;
        }

        /** The deadline of a call that names none; default 30 s. */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The longest deadline a call may name; default 1 h. */
        public Builder maxTimeout(Duration timeout) {
            this.maxTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long an HTTP connection may send nothing while a request is due (half a request, or
         * none after the last) before it is closed; default 30 s.
         */
        public Builder httpIdleTimeout(Duration timeout) {
            this.httpIdleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** HTTP connections open at once; more wait to be accepted. Default 256. */
        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        Limits limits() {
            return new Limits(
                    maxSessions,
                    sessionIdle,
                    maxNamedSessions,
                    namedSessionIdle,
                    maxProcesses,
                    maxProcessesPerSession,
                    processRetention,
                    maxCalls,
                    maxCallsPerSession,
                    defaultTimeout,
                    maxTimeout,
                    httpIdleTimeout,
                    maxConnections);
        }

        /** @throws IllegalArgumentException naming a setting that is out of range */
        public ExxecMcpServer build() {
            limits();
            return new ExxecMcpServer(this);
        }
    }
}
