package dev.exxec.graalvm.internal;

import dev.exxec.Language;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.jspecify.annotations.Nullable;

/**
 * How programs of one language run in a polyglot context: the driver evaluated first in each context,
 * and the reading of its outcome.
 */
public abstract sealed class Guest permits Guest.Python, Guest.JavaScript {
    /** The source name of the user's program in tracebacks. */
    static final String FILENAME = "<code>";

    /** The guest for a language. */
    public static Guest of(Language language) {
        return switch (language) {
            case PYTHON -> Python.INSTANCE;
            case JAVASCRIPT -> JavaScript.INSTANCE;
            case TYPESCRIPT -> throw new IllegalArgumentException("the graalvm provider does not run TypeScript");
        };
    }

    /** The exxec language. */
    public abstract Language language();

    /** The polyglot language id ({@code python}, {@code js}). */
    public abstract String polyglotId();

    /** What the {@code Started} event names. */
    public abstract String description();

    /**
     * Evaluates the driver in a fresh context, before any program runs in it.
     *
     * @param context the context, not used by anything else yet
     * @param out the context's standard output, where {@code process.stdout} writes too
     * @param err the context's standard error
     * @param variables the variables the next call most likely has (the environment's), given to the
     *     program ahead of the call where that saves the call time
     */
    public abstract Driver prepare(Context context, OutputStream out, OutputStream err, Map<String, String> variables);

    /** Evaluates the driver in a session's context, whose programs share their globals. */
    public Driver session(Context context, OutputStream out, OutputStream err) {
        return prepare(context, out, err, Map.of());
    }

    /** The driver of one context: runs programs in it. Used by one thread at a time. */
    public interface Driver {
        /**
         * Runs one program.
         *
         * @param name what its traceback calls it ({@link dev.exxec.Code#displayName()})
         * @param env the variables it sees, and only those
         * @param cwd its working directory (where it has files), or {@code null}
         * @throws PolyglotException when the context was cancelled
         * @throws InterruptedException when a kill interrupted a wait
         */
        default Outcome run(String source, String name, Map<String, String> env, @Nullable String cwd)
                throws InterruptedException {
            return run(source, name, false, env, cwd);
        }

        /**
         * Runs one input as typed at a prompt: the value of a final expression is the result
         * ({@link dev.exxec.CodeSession#evaluate}).
         */
        default Outcome evaluate(String source, String name, Map<String, String> env, @Nullable String cwd)
                throws InterruptedException {
            return run(source, name, true, env, cwd);
        }

        /** Runs one program, or one input as typed at a prompt when {@code interactive}. */
        Outcome run(String source, String name, boolean interactive, Map<String, String> env, @Nullable String cwd)
                throws InterruptedException;
    }

    /** Variables as the drivers take them: NAME=VALUE, separated by NUL (which neither can hold). */
    static String variables(Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        env.forEach((name, value) -> b.append(name).append('=').append(value).append('\0'));
        return b.toString();
    }

    static Source driverSource(String language, String resource) {
        try (InputStream in = Guest.class.getResourceAsStream("/dev/exxec/graalvm/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("driver resource missing from the class path: " + resource);
            }
            return Source.newBuilder(language, new String(in.readAllBytes(), StandardCharsets.UTF_8), resource)
                    .cached(true)
                    .internal(true)
                    .buildLiteral();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Source program(String language, String source, String name) {
        // Cached: the engine keeps the parsed program while this source text is in use, so a program
        // run again (in a fresh context) is not parsed again. The name is a label in stack frames:
        // a literal source is never read from a file of that name.
        return Source.newBuilder(language, source, name).cached(true).buildLiteral();
    }

    /**
     * The outcome of an exception that left the driver: an exit, a feature the sandbox excludes (GraalPy
     * reports some as Java exceptions its own {@code except} cannot catch), an exhausted resource
     * (stack, heap), or an error of the language's implementation.
     */
    static Outcome escaped(PolyglotException e, Language language) {
        if (e.isExit()) {
            return new Outcome.Exit(e.getExitStatus(), "ProcessExitError");
        }
        if (e.isCancelled() || e.isInterrupted()) {
            throw e;
        }
        Value guest = e.getGuestObject();
        Value meta = guest == null || guest.isNull() ? null : guest.getMetaObject();
        String message = String.valueOf(e.getMessage());
        if (meta != null && !e.isHostException()) {
            String type = meta.getMetaSimpleName();
            String prefix = type + ": ";
            return new Outcome.Failure(
                    message.startsWith(prefix) ? message.substring(prefix.length()) : message, type, message);
        }
        // A Java exception inside the language: its class name is noise to the program's author.
        int colon = message.indexOf(": ");
        String cause = colon > 0 && message.substring(0, colon).contains(".") ? message.substring(colon + 2) : message;
        if (e.isResourceExhausted()) {
            return new Outcome.Failure(
                    "the program exhausted a resource of the JVM (" + cause + ")",
                    language == Language.PYTHON ? "MemoryError" : "RangeError",
                    null);
        }
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("excluded") || lower.contains("not allowed") || lower.contains("securityexception")) {
            return new Outcome.Failure(
                    cause + " (not allowed in the graalvm provider: no host files, network, processes or native code)",
                    language == Language.PYTHON ? "PermissionError" : "Error",
                    null);
        }
        return new Outcome.Failure(cause, "InternalError", null);
    }

    /** GraalPy. */
    static final class Python extends Guest {
        static final Python INSTANCE = new Python();
        private final Source driver = driverSource("python", "graalpy_driver.py");

        @Override
        public Language language() {
            return Language.PYTHON;
        }

        @Override
        public String polyglotId() {
            return "python";
        }

        @Override
        public String description() {
            return "graalpy";
        }

        @Override
        public Driver prepare(Context context, OutputStream out, OutputStream err, Map<String, String> variables) {
            // The variables are given per call: in GraalPy that costs little beside the run.
            Value functions = context.eval(driver);
            functions.getArrayElement(3).execute();
            return driver(functions.getArrayElement(0), new Values(Language.PYTHON, functions.getArrayElement(1)));
        }

        @Override
        public Driver session(Context context, OutputStream out, OutputStream err) {
            Value functions = context.eval(driver);
            functions.getArrayElement(3).execute();
            Value run = functions.getArrayElement(2).execute();
            return driver(run, new Values(Language.PYTHON, functions.getArrayElement(1)));
        }

        private static Driver driver(Value run, Values values) {
            return (source, name, interactive, env, cwd) -> {
                try {
                    return outcome(
                            run.execute(source, variables(env), cwd == null ? "" : cwd, name, interactive), values);
                } catch (PolyglotException e) {
                    return escaped(e, Language.PYTHON);
                }
            };
        }

        private static Outcome outcome(Value record, Values values) {
            String kind = record.getArrayElement(0).asString();
            return switch (kind) {
                case "ok" -> values.convert(record.getArrayElement(1));
                case "exit" ->
                    new Outcome.Exit(
                            record.getArrayElement(1).asInt(), "SystemExit", string(record.getArrayElement(2)));
                default ->
                    new Outcome.Failure(
                            record.getArrayElement(1).asString(),
                            record.getArrayElement(2).asString(),
                            string(record.getArrayElement(3)));
            };
        }
    }

    /** GraalJS. */
    static final class JavaScript extends Guest {
        static final JavaScript INSTANCE = new JavaScript();

        private final Source driver = driverSource("js", "graaljs_driver.js");

        @Override
        public Language language() {
            return Language.JAVASCRIPT;
        }

        @Override
        public String polyglotId() {
            return "js";
        }

        @Override
        public String description() {
            return "graaljs";
        }

        @Override
        public Driver prepare(Context context, OutputStream out, OutputStream err, Map<String, String> variables) {
            context.getBindings("js")
                    .putMember(
                            "__exxecHost",
                            ProxyObject.fromMap(
                                    Map.of("write", writer(out, err), "now", (ProxyExecutable) args -> now())));
            Value d = context.eval(driver);
            Values values = new Values(Language.JAVASCRIPT, d.getMember("inspect"));
            Map<String, String> entered = Map.copyOf(variables);
            if (!entered.isEmpty()) {
                d.invokeMember("enter", variables(entered));
            }
            return (source, name, interactive, env, cwd) -> {
                if (!env.equals(entered)) {
                    try {
                        d.invokeMember("enter", variables(env));
                    } catch (PolyglotException e) {
                        // a session's program shadowed a global the driver uses (`let Object = 1`): its
                        // own call fails, not the provider
                        return escaped(e, Language.JAVASCRIPT);
                    }
                }
                return run(context, d, values, source, name, interactive);
            };
        }

        private static ProxyExecutable writer(OutputStream out, OutputStream err) {
            return args -> {
                OutputStream target = args[0].asInt() == 2 ? err : out;
                Value data = args[1];
                byte[] bytes;
                if (data.isString()) {
                    bytes = data.asString().getBytes(StandardCharsets.UTF_8);
                } else {
                    bytes = new byte[(int) data.getArraySize()];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = (byte) data.getArrayElement(i).asInt();
                    }
                }
                try {
                    target.write(bytes);
                    target.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            };
        }

        private static Outcome run(
                Context context, Value d, Values values, String source, String name, boolean interactive)
                throws InterruptedException {
            Value record;
            try {
                d.invokeMember("mark", now()); // what an earlier call of a session left is not this call's
                Value completion = context.eval(program("js", source, name));
                if (interactive) {
                    d.invokeMember("watch", completion); // the input's completion value is its result
                } else {
                    d.invokeMember("start"); // its promise jobs run as the call returns
                }
                // The common end in one call: a value, no promise, no timer left.
                record = d.invokeMember("done");
                if (record.isNull()) {
                    record = settle(d);
                    if (record == null) {
                        return new Outcome.Ok(null, null); // a promise nothing will ever settle
                    }
                }
            } catch (PolyglotException e) {
                if (e.isCancelled() || e.isInterrupted() || e.isExit()) {
                    return escaped(e, Language.JAVASCRIPT);
                }
                if (e.isSyntaxError()) {
                    String message = String.valueOf(e.getMessage()).replaceFirst("^SyntaxError: ", "");
                    return new Outcome.Failure(message, "SyntaxError", "SyntaxError: " + message);
                }
                Value guest = e.getGuestObject();
                if (guest == null || e.isHostException()) {
                    return escaped(e, Language.JAVASCRIPT);
                }
                try {
                    record = d.invokeMember("error", guest);
                } catch (PolyglotException again) {
                    if (again.isCancelled() || again.isInterrupted() || again.isExit()) {
                        return escaped(again, Language.JAVASCRIPT);
                    }
                    // The program broke what the driver relies on in its own realm (a `let Object = 1`
                    // shadows that global for every script): the call fails with the program's error,
                    // not as a failure of the provider.
                    return escaped(e, Language.JAVASCRIPT);
                }
            }
            String kind = record.getArrayElement(0).asString();
            return switch (kind) {
                case "ok" -> {
                    int exitCode = record.getArrayElement(2).asInt();
                    yield exitCode != 0
                            ? new Outcome.Exit(exitCode, "ProcessExitError")
                            : values.convert(record.getArrayElement(1));
                }
                case "exit" -> new Outcome.Exit(record.getArrayElement(1).asInt(), "ProcessExitError");
                default ->
                    new Outcome.Failure(
                            record.getArrayElement(1).asString(),
                            record.getArrayElement(2).asString(),
                            string(record.getArrayElement(3)));
            };
        }

        /**
         * Runs the event loop until the program's value settled, then, after a success, until no timer
         * is left (as Node.js does); the final record, or {@code null} when nothing will settle it.
         */
        private static @Nullable Value settle(Value d) throws InterruptedException {
            loop(d, () -> !d.invokeMember("outcome").isNull());
            Value settled = d.invokeMember("outcome");
            if (settled.isNull()) {
                return null;
            }
            if (settled.getArrayElement(0).asString().equals("ok")) {
                loop(d, () -> false);
            }
            return d.invokeMember("record");
        }

        /** The timers' clock: milliseconds of a monotonic time, the same for every call of a context. */
        private static long now() {
            return (System.nanoTime() - EPOCH) / 1_000_000;
        }

        private static final long EPOCH = System.nanoTime();

        /** Runs timers until {@code done} or none is left, sleeping until the next is due. */
        private static void loop(Value d, java.util.function.BooleanSupplier done) throws InterruptedException {
            while (!done.getAsBoolean()) {
                long next = d.invokeMember("step", now()).asLong();
                if (next < 0) {
                    return;
                }
                if (next > 0) {
                    Thread.sleep(next);
                }
            }
        }
    }

    private static @Nullable String string(Value v) {
        return v == null || v.isNull() ? null : v.asString();
    }
}
