package dev.exxec.mcp.internal;

import dev.exxec.BackgroundProcess;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.EventStream;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.Language;
import dev.exxec.ProcessOutput;
import dev.exxec.ProcessSpec;
import dev.exxec.Stop;
import dev.exxec.UnsupportedCapabilityException;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The eight tools of {@code exxec serve}, their JSON schemas and descriptions (written for a model),
 * and their handlers. A failure of the code, the command or a file operation is a tool result with
 * {@code isError}; only malformed arguments are protocol errors.
 */
public final class Tools {
    private static final Logger LOG = LoggerFactory.getLogger(Tools.class);

    /** The longest a process_output call waits. */
    private static final double MAX_WAIT_SECONDS = 300;

    private final Serving serving;
    private final Environments.Offer offer;
    private final Environments environments;
    private final Limits limits;
    private final int maxOutputChars;
    private final Scheduler callThreads;

    /**
     * @param serving where calls run, and what they may use
     * @param maxOutputChars the most characters of each output stream (and of a file) a result carries
     */
    public Tools(Serving serving, int maxOutputChars) {
        this.serving = serving;
        this.environments = serving.environments();
        this.offer = environments.offer();
        this.limits = serving.limits();
        this.maxOutputChars = maxOutputChars;
        this.callThreads = Schedulers.fromExecutorService(serving.callThreads(), "exxec-mcp-calls");
    }

    /** The tools' specifications, for the SDK's server builder. */
    public List<AsyncToolSpecification> specifications() {
        return List.of(
                tool(
                        "execute_code",
                        "Execute code",
                        """
                        Runs a program in a fresh interpreter process and returns its result, stdout and stderr. \
                        Nothing persists between calls except files in the workspace (the working directory). \
                        To return a value, define main() (sync or async) and return it, or assign it to _result; \
                        it comes back as JSON in 'result'. print()/console.log output comes back in 'stdout'. \
                        An exception makes the call fail with 'errorType' (ValueError, TypeError, ...), 'error' and \
                        'traceback'. Output streams as notifications while the program runs.""",
                        schema(
                                Map.of(
                                        "code", prop("string", "The program's source code."),
                                        "name",
                                                prop(
                                                        "string",
                                                        "What the traceback calls the program, e.g. its file"
                                                                + " name; default <code>. A label only: no file is"
                                                                + " read."),
                                        "language",
                                                Map.of(
                                                        "type",
                                                        "string",
                                                        "enum",
                                                        offer.languages().stream()
                                                                .map(Language::id)
                                                                .toList(),
                                                        "description",
                                                        "The program's language; default "
                                                                + offer.defaultLanguage()
                                                                        .id() + "."),
                                        "timeout",
                                                prop(
                                                        "number",
                                                        "Deadline in seconds, more than 0; default "
                                                                + seconds(limits.defaultTimeout())
                                                                + ", at most " + seconds(limits.maxTimeout())
                                                                + ". At the deadline the program and everything it started is killed (errorType TimeoutError)."),
                                        "env", ENV,
                                        "max_output", MAX_OUTPUT,
                                        "session",
                                                prop(
                                                        "string",
                                                        "Optional session name: calls with the same name (and language)"
                                                                + " run in one interpreter whose variables persist"
                                                                + " between calls, until it sits idle for "
                                                                + limits.namedSessionIdle()
                                                                        .toMinutes() + " minutes."
                                                                + " A deadline interrupts the running call and keeps"
                                                                + " the state. Without it, every call is fresh.")),
                                List.of("code")),
                        this::executeCode),
                tool(
                        "run_command",
                        "Run a shell command",
                        """
                        Runs a shell command line with POSIX sh -c semantics (pipes, redirects, &&, quotes) in the \
                        workspace and returns its exit code, stdout and stderr. A non-zero exit code makes the \
                        result an error (errorType ProcessExitError). For servers and other long-running programs \
                        use start_process instead.""",
                        schema(
                                Map.of(
                                        "command", prop("string", "The command line, e.g. 'ls -la | head'."),
                                        "timeout",
                                                prop(
                                                        "number",
                                                        "Deadline in seconds, more than 0; default "
                                                                + seconds(limits.defaultTimeout()) + ", at most "
                                                                + seconds(limits.maxTimeout()) + "."),
                                        "cwd",
                                                prop(
                                                        "string",
                                                        "Working directory, relative to the workspace; default the workspace."),
                                        "env", ENV,
                                        "max_output", MAX_OUTPUT),
                                List.of("command")),
                        this::runCommand),
                tool(
                        "read_file",
                        "Read a file",
                        "Reads a text file of the environment; a relative path is relative to the workspace.",
                        schema(Map.of("path", prop("string", "The file's path.")), List.of("path")),
                        this::readFile),
                tool(
                        "write_file",
                        "Write a file",
                        "Writes a text file (UTF-8) in the environment, replacing it if it exists and creating missing parent directories; a relative path is relative to the workspace.",
                        schema(
                                Map.of(
                                        "path", prop("string", "The file's path."),
                                        "content", prop("string", "The whole new content.")),
                                List.of("path", "content")),
                        this::writeFile),
                tool(
                        "list_files",
                        "List files",
                        "Lists a directory of the environment: name, type (file, directory, symlink) and size of each entry.",
                        schema(Map.of("path", prop("string", "The directory; default the workspace.")), List.of()),
                        this::listFiles),
                tool(
                        "start_process",
                        "Start a background process",
                        """
                        Starts a long-running shell command (a server, a watcher) in the background and returns \
                        its process_id at once. Read its output with process_output and stop it with kill_process; \
                        it is killed when the session ends.""",
                        schema(
                                Map.of(
                                        "command",
                                                prop("string", "The command line, e.g. 'python3 -m http.server 8000'."),
                                        "cwd",
                                                prop(
                                                        "string",
                                                        "Working directory, relative to the workspace; default the workspace."),
                                        "env", ENV),
                                List.of("command")),
                        this::startProcess),
                tool(
                        "process_output",
                        "Read a background process's output",
                        "Returns the output of a process started with start_process so far, and whether it still runs or its exit code. With 'wait', first waits up to that many seconds for it to exit.",
                        schema(
                                Map.of(
                                        "process_id", prop("string", "The id start_process returned."),
                                        "wait",
                                                prop(
                                                        "number",
                                                        "Seconds to wait for the process to exit first; default 0, at most 300.")),
                                List.of("process_id")),
                        this::processOutput),
                tool(
                        "kill_process",
                        "Kill a background process",
                        "Kills a process started with start_process, and everything it started, and returns its last output.",
                        schema(
                                Map.of("process_id", prop("string", "The id start_process returned.")),
                                List.of("process_id")),
                        this::killProcess));
    }

    private static final Map<String, Object> ENV = Map.of(
            "type", "object",
            "additionalProperties", Map.of("type", "string"),
            "description", "Extra environment variables, e.g. {\"DEBUG\": \"1\"}.");

    private static final Map<String, Object> MAX_OUTPUT = Map.of(
            "type", "integer",
            "minimum", 1,
            "description",
                    "Most characters of stdout and of stderr to return (each); default and maximum: the server's limit.");

    private static Map<String, Object> prop(String type, String description) {
        return Map.of("type", type, "description", description);
    }

    private static McpSchema.JsonSchema schema(Map<String, Object> properties, List<String> required) {
        // Ordered, so that clients show the arguments in a sensible order.
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String r : required) {
            ordered.put(r, properties.get(r));
        }
        properties.keySet().stream().sorted().forEach(k -> ordered.putIfAbsent(k, properties.get(k)));
        return new McpSchema.JsonSchema("object", ordered, required, false, null, null);
    }

    private interface Handler {
        CallToolResult handle(McpSyncServerExchange exchange, CallToolRequest request, Args args);
    }

    private static String seconds(Duration d) {
        return Serving.seconds(d);
    }

    private AsyncToolSpecification tool(
            String name, String title, String description, McpSchema.JsonSchema schema, Handler handler) {
        McpSchema.Tool tool = McpSchema.Tool.builder()
                .name(name)
                .title(title)
                .description(description)
                .inputSchema(schema)
                .build();
        Set<String> known = schema.properties().keySet();
        BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> call = (exchange, request) -> {
            Args args = new Args(name, request.arguments(), known);
            try {
                return handler.handle(exchange, request, args);
            } catch (McpError e) {
                throw e;
            } catch (UnsupportedCapabilityException e) {
                return Results.error("UnsupportedCapabilityError", e.getMessage());
            } catch (LimitExceededException e) {
                return Results.error("LimitExceededError", e.getMessage());
            } catch (IllegalArgumentException e) {
                // The core's own validation (an empty command, a bad path): the arguments were wrong.
                throw Args.invalid(name + ": " + e.getMessage());
            } catch (ExxecException | IllegalStateException e) {
                LOG.debug("{} failed", name, e);
                return Results.error(errorType(e), String.valueOf(e.getMessage()));
            }
        };
        // Each call holds a permit while it runs (refused at once when the caps are reached, never
        // queued), on a platform thread of the server's own: calls block (on processes, pipes, waits).
        return new AsyncToolSpecification(tool, (exchange, request) -> {
            if (serving.refuses(session(exchange.sessionId()))) {
                return Mono.just(Results.error(
                        "SessionEndedError",
                        "this MCP session has ended (deleted, or idle longer than "
                                + limits.sessionIdle().toSeconds() + " s); start a new one with initialize"));
            }
            Usage.Permit permit;
            try {
                permit = serving.usage().beginCall(session(exchange.sessionId()));
            } catch (LimitExceededException e) {
                return Mono.just(Results.error("LimitExceededError", e.getMessage()));
            }
            return Mono.fromCallable(() -> {
                        try (permit) {
                            return call.apply(new McpSyncServerExchange(exchange), request);
                        }
                    })
                    .subscribeOn(callThreads)
                    .doOnCancel(permit::close);
        });
    }

    private static String session(@Nullable String id) {
        return id == null ? "" : id;
    }

    /**
     * The {@code errorType} of a tool call that failed with {@code e}: its class name with {@code
     * Error} for {@code Exception} ({@link dev.exxec.LimitExceededException}, a provider's limit
     * reached, gives {@code LimitExceededError}, as the server's own caps do).
     */
    static String errorType(RuntimeException e) {
        String simple = e.getClass().getSimpleName();
        return simple.endsWith("Exception")
                ? simple.substring(0, simple.length() - "Exception".length()) + "Error"
                : simple;
    }

    private ExecutionEnvironment env(McpSyncServerExchange exchange) {
        return environments.of(session(exchange.sessionId()));
    }

    private static Code named(Code code, Optional<String> name) {
        try {
            return name.isPresent() ? code.named(name.get()) : code;
        } catch (IllegalArgumentException e) {
            throw Args.invalid("execute_code: argument 'name': " + e.getMessage());
        }
    }

    private CallToolResult executeCode(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        String source = args.requiredNonBlank("code");
        Optional<String> name = args.optional("name");
        Optional<String> languageName = args.optional("language");
        Duration timeout = args.deadline("timeout", limits.defaultTimeout(), limits.maxTimeout());
        Language language;
        try {
            language = languageName.map(Language::of).orElse(null);
        } catch (IllegalArgumentException e) {
            throw Args.invalid("execute_code: argument 'language': " + e.getMessage());
        }
        ExecutionEnvironment env = env(exchange);
        Optional<String> sessionName = args.optional("session");
        if (sessionName.isPresent()) {
            if (!args.stringMap("env").isEmpty()) {
                throw Args.invalid("execute_code: 'env' cannot be given with 'session': a session's variables are"
                        + " its interpreter's");
            }
            Language lang = language != null ? language : env.defaultLanguage();
            Code finalCode = named(Code.of(lang, source), name).withTimeout(timeout);
            int limit = args.positive("max_output", maxOutputChars).orElse(maxOutputChars);
            try (NamedSessions.Lease lease = serving.named().lease(env, sessionName.get(), lang)) {
                return run(
                        exchange,
                        request,
                        env,
                        limit,
                        null,
                        () -> lease.session().execute(finalCode));
            } catch (dev.exxec.UnsupportedCapabilityException e) {
                return Results.error("UnsupportedCapability", e.getMessage());
            }
        }
        Code finalCode = named(Code.of(language != null ? language : env.defaultLanguage(), source), name)
                .withEnv(args.stringMap("env"))
                .withTimeout(timeout);
        int limit = args.positive("max_output", maxOutputChars).orElse(maxOutputChars);
        return run(exchange, request, env, limit, () -> env.stream(finalCode), () -> env.execute(finalCode));
    }

    private CallToolResult runCommand(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        Command command = Command.of(args.requiredNonBlank("command")).withEnv(args.stringMap("env"));
        int limit = args.positive("max_output", maxOutputChars).orElse(maxOutputChars);
        command = command.withTimeout(args.deadline("timeout", limits.defaultTimeout(), limits.maxTimeout()));
        Optional<String> cwd = args.optional("cwd");
        if (cwd.isPresent()) {
            command = command.withCwd(cwd.get());
        }
        ExecutionEnvironment env = env(exchange);
        Command finalCommand = command;
        return run(
                exchange,
                request,
                env,
                limit,
                () -> env.streamCommand(finalCommand),
                () -> env.executeCommand(finalCommand));
    }

    private interface Streamer {
        EventStream start();
    }

    private interface Runner {
        ExecutionResult run();
    }

    /**
     * Runs one execution: streamed to the client where the environment streams, and cancelled when
     * the client cancels the request.
     */
    private CallToolResult run(
            McpSyncServerExchange exchange,
            CallToolRequest request,
            ExecutionEnvironment env,
            int limit,
            @Nullable Streamer streamer,
            Runner runner) {
        String key = callKey(request);
        if (streamer != null && env.capabilities().streaming()) {
            try (OutputNotifier notifier = new OutputNotifier(exchange, request.progressToken(), limit);
                    EventStream events = streamer.start();
                    Calls.Registration ignored = calls(key, events::close)) {
                for (ExecutionEvent event : events) {
                    if (event instanceof ExecutionEvent.Output output) {
                        notifier.output(output.stream(), output.text());
                    }
                }
                return Results.execution(events.result(), limit);
            } catch (ExecutionCancelledException e) {
                return cancelled();
            }
        }
        Thread caller = Thread.currentThread();
        try (Calls.Registration ignored = calls(key, caller::interrupt)) {
            return Results.execution(runner.run(), limit);
        } catch (ExecutionCancelledException e) {
            Thread.interrupted(); // the interrupt was ours, for this call only
            return cancelled();
        }
    }

    private static CallToolResult cancelled() {
        return Results.stopped(Stop.CANCELLATION, "the client cancelled the call; everything it started was killed");
    }

    private Calls.Registration calls(@Nullable String key, Runnable stop) {
        return key == null ? () -> {} : serving.calls().begin(key, stop);
    }

    private static @Nullable String callKey(CallToolRequest request) {
        Map<String, Object> meta = request.meta();
        return meta != null && meta.get(Calls.META_KEY) instanceof String s ? s : null;
    }

    /**
     * Runs a file tool under the server's deadline ({@code --timeout}), stopped by cancellation and by
     * the end of its session like an execution. A file can block a read in the kernel for ever
     * ({@code /proc/kmsg} looks like an empty regular file): the call runs on a platform thread of the
     * server's, reading through a {@code FileChannel}, and interrupting that thread closes the channel
     * and signals the thread out of the read, which frees the call's slot and file descriptor.
     */
    private CallToolResult fileCall(String tool, String path, CallToolRequest request, Supplier<CallToolResult> op) {
        Duration deadline = limits.defaultTimeout();
        Thread caller = Thread.currentThread();
        AtomicReference<@Nullable Stop> stopped = new AtomicReference<>();
        Object lock = new Object();
        boolean[] running = {true};
        java.util.function.Consumer<Stop> stop = why -> {
            synchronized (lock) {
                // Only while the operation runs: the thread goes on to other calls afterwards.
                if (running[0] && stopped.compareAndSet(null, why)) {
                    caller.interrupt();
                }
            }
        };
        Thread timer = Thread.ofVirtual().name("exxec-mcp-deadline").unstarted(() -> {
            try {
                Thread.sleep(deadline);
                stop.accept(Stop.DEADLINE);
            } catch (InterruptedException e) {
                // the operation ended first
            }
        });
        CallToolResult result = null;
        RuntimeException failure = null;
        try (Calls.Registration ignored = calls(callKey(request), () -> stop.accept(Stop.CANCELLATION))) {
            timer.start();
            result = op.get();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            synchronized (lock) {
                running[0] = false;
            }
            timer.interrupt();
        }
        Stop why = stopped.get();
        if (why == null) {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
        Thread.interrupted(); // the interrupt was ours, for this call only
        if (failure != null) {
            LOG.debug("{} of {} stopped ({})", tool, path, why, failure);
        }
        return why == Stop.DEADLINE
                ? Results.stopped(
                        Stop.DEADLINE,
                        tool + " of " + path + " did not finish within " + seconds(deadline)
                                + " s (the server's --timeout)")
                : Results.stopped(Stop.CANCELLATION, tool + " of " + path + " was cancelled");
    }

    private CallToolResult readFile(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        String path = args.requiredNonBlank("path");
        var files = env(exchange).files();
        return fileCall("read_file", path, request, () -> read(files, path));
    }

    private CallToolResult read(dev.exxec.WorkspaceFiles files, String path) {
        // One read, bounded while it reads: a size looked at first could be another file's by the time
        // the file is read (the code can swap it), and a file of /proc says 0 bytes and never ends.
        long maxBytes = 4L * maxOutputChars;
        byte[] bytes;
        try {
            bytes = files.read(path, maxBytes);
        } catch (FileOperationException e) {
            if (e.reason() == FileOperationException.Reason.IS_A_DIRECTORY) {
                return Results.error("IsADirectoryError", path + " is a directory; list it with list_files");
            }
            if (e.reason() == FileOperationException.Reason.TOO_LARGE) {
                return Results.error(
                        "FileTooLargeError",
                        path + " holds more than " + maxBytes + " bytes; read_file returns at most " + maxOutputChars
                                + " characters: read parts of it with run_command (head, tail, sed -n, grep)");
            }
            throw e;
        }
        String content = new String(bytes, StandardCharsets.UTF_8);
        if (content.length() > maxOutputChars) {
            return Results.error(
                    "FileTooLargeError",
                    path + " has " + content.length() + " characters; read_file returns at most " + maxOutputChars
                            + ": read parts of it with run_command (head, tail, sed -n, grep)");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", path);
        s.put("size", bytes.length);
        s.put("content", content);
        return Results.ok(content, s);
    }

    private CallToolResult writeFile(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        String path = args.requiredNonBlank("path");
        String content = args.required("content");
        var files = env(exchange).files();
        return fileCall("write_file", path, request, () -> write(files, path, content));
    }

    private CallToolResult write(dev.exxec.WorkspaceFiles files, String path, String content) {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            String parent = path.substring(0, slash);
            if (!files.exists(parent)) {
                files.mkdir(parent);
            }
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        files.write(path, bytes);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", path);
        s.put("bytes", bytes.length);
        return Results.ok("wrote " + bytes.length + " bytes to " + path, s);
    }

    private CallToolResult listFiles(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        String path = args.optional("path").filter(p -> !p.isBlank()).orElse(".");
        var files = env(exchange).files();
        return fileCall("list_files", path, request, () -> list(files, path));
    }

    private CallToolResult list(dev.exxec.WorkspaceFiles files, String path) {
        List<FileEntry> entries = files.list(path);
        StringBuilder text = new StringBuilder();
        List<Map<String, Object>> list = new ArrayList<>();
        int shown = 0;
        for (FileEntry e : entries) {
            // A listing is capped like output: the code can make more entries than a model can read.
            if (text.length() >= maxOutputChars) {
                break;
            }
            String type = e.type().name().toLowerCase(java.util.Locale.ROOT);
            String name = Results.printable(e.name());
            text.append(e.isDirectory() ? name + "/" : name);
            if (e.isFile()) {
                text.append("  ").append(e.size()).append(" bytes");
            } else if (!e.isDirectory()) {
                text.append("  (").append(type).append(')');
            }
            text.append('\n');
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("path", e.path());
            m.put("type", type);
            m.put("size", e.size());
            m.put("modified", e.modified().toString());
            list.add(m);
            shown++;
        }
        if (entries.isEmpty()) {
            text.append("(empty directory)");
        } else if (shown < entries.size()) {
            text.append("... and ")
                    .append(entries.size() - shown)
                    .append(" more entries, left out (list_files shows at most ")
                    .append(maxOutputChars)
                    .append(" characters; narrow it with run_command: ls, find)");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", path);
        s.put("entries", list);
        s.put("total", entries.size());
        s.put("truncated", shown < entries.size());
        return Results.ok(text.toString().stripTrailing(), s);
    }

    private CallToolResult startProcess(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        ProcessSpec spec = ProcessSpec.of(args.requiredNonBlank("command"));
        for (Map.Entry<String, String> e : args.stringMap("env").entrySet()) {
            spec = spec.withEnv(e.getKey(), e.getValue());
        }
        Optional<String> cwd = args.optional("cwd");
        if (cwd.isPresent()) {
            spec = spec.withCwd(cwd.get());
        }
        ProcessSpec finalSpec = spec;
        ExecutionEnvironment env = env(exchange);
        BackgroundProcess p = serving.processes()
                .start(session(exchange.sessionId()), () -> env.processes().start(finalSpec));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("process_id", p.id());
        p.pid().ifPresent(pid -> s.put("pid", pid));
        return Results.ok(
                "started process " + p.id() + "; read its output with process_output, stop it with kill_process", s);
    }

    private Optional<BackgroundProcess> process(McpSyncServerExchange exchange, String id) {
        return env(exchange).processes().get(id);
    }

    private CallToolResult unknownProcess(McpSyncServerExchange exchange, String id) {
        List<String> ids = env(exchange).processes().list().stream()
                .map(BackgroundProcess::id)
                .toList();
        return Results.error("ProcessNotFoundError", "no process '" + id + "'; processes of this session: " + ids);
    }

    private CallToolResult processOutput(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        String id = args.requiredNonBlank("process_id");
        Optional<Duration> wait = args.seconds("wait", MAX_WAIT_SECONDS);
        Optional<BackgroundProcess> found = process(exchange, id);
        if (found.isEmpty()) {
            return unknownProcess(exchange, id);
        }
        BackgroundProcess p = found.get();
        if (wait.isPresent() && !wait.get().isZero()) {
            Thread caller = Thread.currentThread();
            try (Calls.Registration ignored = calls(callKey(request), caller::interrupt)) {
                p.waitFor(wait.get());
            } catch (InterruptedException e) {
                Thread.interrupted(); // a cancelled wait: the process itself keeps running
            }
        }
        return processState(p, "");
    }

    private CallToolResult killProcess(McpSyncServerExchange exchange, CallToolRequest request, Args args) {
        String id = args.requiredNonBlank("process_id");
        Optional<BackgroundProcess> found = process(exchange, id);
        if (found.isEmpty()) {
            return unknownProcess(exchange, id);
        }
        BackgroundProcess p = found.get();
        p.kill();
        serving.processes().forget(p);
        try {
            p.waitFor(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return processState(p, "killed; ");
    }

    private CallToolResult processState(BackgroundProcess p, String prefix) {
        ProcessOutput out = p.output();
        Results.Cut stdout = Results.Cut.of(out.stdout(), maxOutputChars);
        Results.Cut stderr = Results.Cut.of(out.stderr(), maxOutputChars);
        StringBuilder text = new StringBuilder(prefix);
        boolean alive = p.isAlive();
        if (alive) {
            text.append("process ").append(p.id()).append(" is running\n");
        } else {
            text.append("process ").append(p.id()).append(" exited");
            p.exitCode().ifPresent(c -> text.append(" with exit code ").append(c));
            text.append('\n');
        }
        if (!stdout.text().isEmpty()) {
            text.append("stdout:\n").append(stdout.text()).append(stdout.text().endsWith("\n") ? "" : "\n");
        }
        if (!stderr.text().isEmpty()) {
            text.append("stderr:\n").append(stderr.text()).append(stderr.text().endsWith("\n") ? "" : "\n");
        }
        if (out.truncated() || stdout.cut() > 0 || stderr.cut() > 0) {
            text.append("[output truncated: only the most recent output is kept]\n");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("process_id", p.id());
        s.put("running", alive);
        p.exitCode().ifPresent(c -> s.put("exitCode", c));
        s.put("stdout", stdout.text());
        s.put("stderr", stderr.text());
        s.put("truncated", out.truncated() || stdout.cut() > 0 || stderr.cut() > 0);
        return Results.ok(text.toString().stripTrailing(), s);
    }
}
