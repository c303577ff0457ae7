package dev.exxec.mcp;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.Location;
import dev.exxec.NetworkAccess;
import dev.exxec.ResourceLimits;
import dev.exxec.StdStream;
import dev.exxec.Stop;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.internal.RecordSize;
import dev.exxec.mcp.internal.CancellingTransport;
import dev.exxec.mcp.internal.RemoteResults;
import dev.exxec.spi.AbstractEnvironment;
import dev.exxec.spi.EventSink;
import dev.exxec.spi.ExecutionRun;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * An environment whose code and commands run through an MCP server's tools. One MCP session per
 * environment; closing it ends the session (and stops a stdio server).
 *
 * <p>It declares only what the remote tools give: the languages of the code tool (its language
 * argument's {@code enum}, or {@link McpConfig#languages()}), commands when the command tool exists,
 * streaming when the server's progress notifications carry output. No files, processes, terminals or
 * sessions; isolation {@code NONE}, since nothing is known of where the server runs the code. A
 * deadline and a cancellation send {@code notifications/cancelled} to the server, which must do the
 * killing.
 */
public final class McpEnvironment extends AbstractEnvironment {
    /** How long after its deadline a call's answer may still arrive (the server kills at the deadline). */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private static final String STREAM_META = "dev.exxec/stream";

    private final McpConfig config;
    private final McpAsyncClient client;
    private final CancellingTransport transport;
    private final Capabilities capabilities;
    private final Map<Object, Watch> watches;
    private final Set<String> commandToolArguments;
    private final Set<String> codeToolArguments;
    private final String server;

    private McpEnvironment(
            McpConfig config,
            McpAsyncClient client,
            CancellingTransport transport,
            Capabilities capabilities,
            Map<Object, Watch> watches,
            Set<String> codeToolArguments,
            Set<String> commandToolArguments,
            String server) {
        super(McpProvider.ID, config.settings());
        this.config = config;
        this.client = client;
        this.transport = transport;
        this.capabilities = capabilities;
        this.watches = watches;
        this.codeToolArguments = codeToolArguments;
        this.commandToolArguments = commandToolArguments;
        this.server = server;
    }

    /**
     * Connects to the server, checks its tools and makes the environment.
     *
     * @throws EnvironmentStartException when the server cannot be reached or lacks the code tool
     */
    static McpEnvironment connect(McpConfig config) {
        String server = config.url() != null ? config.url().toString() : String.join(" ", config.command());
        Map<Object, Watch> watches = new ConcurrentHashMap<>();
        CancellingTransport transport = new CancellingTransport(transport(config));
        McpAsyncClient client = McpClient.async(transport)
                .clientInfo(new McpSchema.Implementation("exxec-mcp-provider", "1"))
                // Calls have their own deadlines (see call); the SDK's must not cut them short.
                .requestTimeout(Duration.ofDays(1))
                .initializationTimeout(config.connectTimeout())
                .progressConsumer(p -> {
                    Watch watch = watches.get(p.progressToken());
                    if (watch != null && p.message() != null) {
                        StdStream stream =
                                p.meta() != null && "stderr".equals(p.meta().get(STREAM_META))
                                        ? StdStream.STDERR
                                        : StdStream.STDOUT;
                        watch.output(stream, p.message());
                    }
                    return Mono.empty();
                })
                .build();
        try {
            McpSchema.InitializeResult init = client.initialize().block(config.connectTimeout());
            List<McpSchema.Tool> tools =
                    client.listTools().block(config.connectTimeout()).tools();
            McpSchema.Tool codeTool = tools.stream()
                    .filter(t -> t.name().equals(config.codeTool()))
                    .findFirst()
                    .orElseThrow(() -> new EnvironmentStartException("MCP server " + server + " offers no tool '"
                            + config.codeTool() + "'; its tools: "
                            + tools.stream().map(McpSchema.Tool::name).toList() + " (set codeTool)"));
            McpSchema.Tool commandTool = config.commandTool() == null
                    ? null
                    : tools.stream()
                            .filter(t -> t.name().equals(config.commandTool()))
                            .findFirst()
                            .orElse(null);
            Set<String> codeArgs = arguments(codeTool);
            boolean exxec = init != null
                    && init.serverInfo() != null
                    && "exxec".equals(init.serverInfo().name());
            Capabilities caps = Capabilities.builder()
                    .languages(languages(config, codeTool))
                    .commands(commandTool != null)
                    .streaming(config.streaming() != null ? config.streaming() : exxec)
                    .isolation(Isolation.NONE)
                    .location(config.url() != null ? Location.REMOTE : Location.LOCAL)
                    .network(NetworkAccess.FULL)
                    .limits(ResourceLimits.NONE)
                    .build();
            return new McpEnvironment(
                    config,
                    client,
                    transport,
                    caps,
                    watches,
                    codeArgs,
                    commandTool == null ? Set.of() : arguments(commandTool),
                    server);
        } catch (RuntimeException e) {
            client.close();
            if (e instanceof EnvironmentStartException) {
                throw e;
            }
            throw new EnvironmentStartException(
                    "cannot connect to MCP server " + server + ": " + describe(e), Exceptions.unwrap(e));
        }
    }

    private static McpClientTransport transport(McpConfig config) {
        URI url = config.url();
        if (url != null) {
            HttpRequest.Builder request = HttpRequest.newBuilder();
            if (config.token() != null) {
                request.header("Authorization", "Bearer " + config.token());
            }
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            return HttpClientStreamableHttpTransport.builder(url.resolve("/").toString())
                    .endpoint(path + (url.getRawQuery() != null ? "?" + url.getRawQuery() : ""))
                    .requestBuilder(request)
                    .connectTimeout(config.connectTimeout())
                    .build();
        }
        List<String> command = config.command();
        ServerParameters.Builder params =
                ServerParameters.builder(command.get(0)).args(command.subList(1, command.size()));
        if (!config.serverEnv().isEmpty()) {
            params.env(config.serverEnv());
        }
        return new StdioClientTransport(params.build(), McpJsonDefaults.getMapper());
    }

    private static Map<?, ?> properties(McpSchema.Tool tool) {
        return tool.inputSchema() != null && tool.inputSchema().get("properties") instanceof Map<?, ?> p ? p : Map.of();
    }

    private static Set<String> arguments(McpSchema.Tool tool) {
        Set<String> names = new java.util.HashSet<>();
        properties(tool).keySet().forEach(k -> names.add(String.valueOf(k)));
        return Set.copyOf(names);
    }

    private static Set<Language> languages(McpConfig config, McpSchema.Tool codeTool) {
        if (config.languages() != null) {
            return config.languages();
        }
        String argument = config.languageArgument();
        Object property = argument == null ? null : properties(codeTool).get(argument);
        if (property instanceof Map<?, ?> p && p.get("enum") instanceof List<?> values) {
            Set<Language> found = EnumSet.noneOf(Language.class);
            for (Object v : values) {
                try {
                    found.add(Language.of(String.valueOf(v)));
                } catch (IllegalArgumentException e) {
                    // a language exxec does not know: not declared
                }
            }
            if (!found.isEmpty()) {
                return found;
            }
        }
        return Set.of(config.settings().language());
    }

    private static String describe(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    protected ExecutionResult runCode(
            Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(config.codeArgument(), code.source());
        if (config.languageArgument() != null && codeToolArguments.contains(config.languageArgument())) {
            args.put(config.languageArgument(), language.id());
        }
        // The name is a label for tracebacks: a server whose tool takes none (not exxec serve) names
        // the program its own way, which loses nothing else.
        if (code.name() != null && codeToolArguments.contains("name") && !"name".equals(config.codeArgument())) {
            args.put("name", code.name());
        }
        addCommon(args, code.env(), code.cwd(), timeout, codeToolArguments, config.codeTool());
        return call(config.codeTool(), args, timeout, executionId, sink);
    }

    @Override
    protected ExecutionResult runCommand(
            Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
        String tool = java.util.Objects.requireNonNull(config.commandTool());
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(config.commandArgument(), command.command());
        addCommon(args, command.env(), command.cwd(), timeout, commandToolArguments, tool);
        return call(tool, args, timeout, executionId, sink);
    }

    private void addCommon(
            Map<String, Object> args,
            Map<String, String> env,
            @Nullable String cwd,
            Duration timeout,
            Set<String> accepted,
            String tool) {
        // Nothing silently degrades: what the tool cannot take is refused, not dropped.
        Map<String, String> variables = new LinkedHashMap<>(config.settings().env());
        variables.putAll(env);
        if (!variables.isEmpty()) {
            if (!accepted.contains("env")) {
                throw new UnsupportedCapabilityException("environment " + id()
                        + " (mcp) cannot set environment variables: tool '" + tool + "' has no 'env' argument");
            }
            args.put("env", variables);
        }
        if (accepted.contains("max_output")) {
            args.put("max_output", (int)
                    Math.min(Integer.MAX_VALUE, config.settings().outputLimit()));
        }
        String dir = cwd != null ? cwd : config.settings().cwd();
        if (dir != null) {
            if (!accepted.contains("cwd")) {
                throw new UnsupportedCapabilityException("environment " + id()
                        + " (mcp) cannot set a working directory: tool '" + tool + "' has no 'cwd' argument");
            }
            args.put("cwd", dir);
        }
        String timeoutArgument = config.timeoutArgument();
        // No deadline (zero) sends none: the server's own default applies (exxec serve runs nothing
        // without a deadline, and refuses a timeout of 0).
        if (timeoutArgument != null && accepted.contains(timeoutArgument) && !timeout.isZero()) {
            args.put(timeoutArgument, timeout.toMillis() / 1000.0);
        }
    }

    private ExecutionResult call(
            String tool, Map<String, Object> args, Duration timeout, String executionId, @Nullable EventSink sink) {
        checkOpen();
        if (sink != null) {
            sink.emit(new ExecutionEvent.Started(executionId, "mcp " + tool, null));
        }
        Watch watch = new Watch(executionId, sink);
        watches.put(executionId, watch);
        long started = System.nanoTime();
        ExecutionResult result;
        try {
            Mono<McpSchema.CallToolResult> call = client.callTool(McpSchema.CallToolRequest.builder(tool)
                    .arguments(args)
                    .progressToken(executionId)
                    .build());
            McpSchema.CallToolResult answer = timeout.isZero() ? call.block() : call.block(timeout.plus(GRACE));
            if (answer == null) {
                throw new ExxecException("MCP server " + server + " gave no result for tool '" + tool + "'");
            }
            result = limited(RemoteResults.of(answer, Duration.ofNanos(System.nanoTime() - started)), watch);
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            if (isClosed()) { // the session ended under the call: close() told the server to stop it
                result = ExecutionResult.builder()
                        .duration(Duration.ofNanos(System.nanoTime() - started))
                        .exitCode(-1)
                        .stopped(
                                Stop.CANCELLATION,
                                "environment " + id() + " was closed during the execution; the MCP server was told"
                                        + " to stop it",
                                null)
                        .build();
                if (sink != null) {
                    sink.emit(ExecutionRun.terminalEvent(executionId, result));
                }
                return result;
            }
            if (cause instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                Thread.interrupted();
                transport.cancel(executionId, "cancelled by the caller");
                ExecutionResult cancelled = ExecutionResult.builder()
                        .duration(Duration.ofNanos(System.nanoTime() - started))
                        .exitCode(-1)
                        .stopped(
                                Stop.CANCELLATION,
                                "the execution was cancelled; the MCP server was told to stop it",
                                null)
                        .build();
                if (sink != null) {
                    sink.emit(ExecutionRun.terminalEvent(executionId, cancelled));
                }
                Thread.currentThread().interrupt();
                throw new ExecutionCancelledException("execution " + executionId + " was cancelled", cause);
            }
            if (cause instanceof McpError error) {
                throw new ExxecException(
                        "MCP server " + server + " refused the call of tool '" + tool + "': " + error.getMessage()
                                + " (check codeArgument, commandArgument, languageArgument, timeoutArgument)",
                        error);
            }
            if (e instanceof IllegalStateException
                    && String.valueOf(e.getMessage()).startsWith("Timeout on blocking")) {
                transport.cancel(executionId, "deadline reached");
                result = ExecutionResult.builder()
                        .duration(Duration.ofNanos(System.nanoTime() - started))
                        .exitCode(-1)
                        .stopped(
                                Stop.DEADLINE,
                                "the execution exceeded its timeout of " + ExecutionRun.human(timeout)
                                        + "; the MCP server did not answer and was told to stop it",
                                null)
                        .build();
            } else {
                throw new ExxecException(
                        "calling tool '" + tool + "' of MCP server " + server + " failed: " + describe(e), cause);
            }
        } finally {
            watches.remove(executionId);
            transport.finished(executionId);
        }
        if (sink != null) {
            sink.emit(ExecutionRun.terminalEvent(executionId, result));
        }
        return result;
    }

    /** The output limit applied here too (a server may keep more), and the stop at the limit. */
    private ExecutionResult limited(ExecutionResult r, Watch watch) {
        long limit = config.settings().outputLimit();
        ExecutionResult.Builder b = r.toBuilder();
        if (r.stdout().length() > limit) {
            b.stdout(r.stdout().substring(0, (int) limit)).stdoutTruncated(true);
        }
        if (r.stderr().length() > limit) {
            b.stderr(r.stderr().substring(0, (int) limit)).stderrTruncated(true);
        }
        if (r.stoppedBy() == null && RecordSize.exceeds(r, ExecutionRun.recordLimit(limit))) {
            // the record limit of every provider, whatever the server allowed
            b.success(false)
                    .result(null, null)
                    .outputs(List.of())
                    .error(ExecutionRun.recordTooLarge(limit), ErrorTypes.OUTPUT_LIMIT, null);
        }
        if (watch.limitHit) {
            String out = r.stdout().length() > limit ? r.stdout().substring(0, (int) limit) : r.stdout();
            b.stdout(out)
                    .stdoutTruncated(true)
                    .stopped(
                            Stop.OUTPUT_LIMIT,
                            "output exceeded the limit of " + limit + " bytes per stream; the execution was stopped",
                            null);
        }
        return b.build();
    }

    /** One running call: where its streamed output goes, and the stop at the output limit. */
    private final class Watch {
        private final String executionId;
        private final @Nullable EventSink sink;
        private long stdout;
        private long stderr;
        volatile boolean limitHit;

        Watch(String executionId, @Nullable EventSink sink) {
            this.executionId = executionId;
            this.sink = sink;
        }

        synchronized void output(StdStream stream, String text) {
            if (sink != null) {
                sink.emit(new ExecutionEvent.Output(executionId, stream, text));
            }
            long n = stream == StdStream.STDOUT ? (stdout += text.length()) : (stderr += text.length());
            if (config.settings().stopOnOutputLimit() && n > config.settings().outputLimit() && !limitHit) {
                limitHit = true;
                // Not on the SDK's thread, which delivers the answer this cancellation brings.
                Thread.ofVirtual().start(() -> transport.cancel(executionId, "output limit reached"));
            }
        }
    }

    @Override
    protected void doClose() {
        // Running calls must not outlive the environment: the server kills what they started.
        for (Object key : watches.keySet()) {
            transport.cancel(key, "environment closed");
        }
        try {
            client.closeGracefully().block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            client.close();
        }
    }
}
