package dev.exxec.spi;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.Language;
import dev.exxec.Stop;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.internal.Ids;
import dev.exxec.internal.OutputCapture;
import dev.exxec.internal.PlatformThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CodeSession} over one long-lived interpreter that runs a session driver ({@code
 * python_session.py}, {@code javascript_session.cjs}): requests go to its standard input, each call's
 * output is what came on standard output and error before the driver's end lines, and its result is
 * the record on the last of them. Providers supply how to start the interpreter and how to interrupt
 * it.
 *
 * <p>At a call's deadline the interpreter is interrupted (SIGINT: {@code KeyboardInterrupt} in
 * Python, a script interruption in Node.js) and the result is {@code TimeoutError} with the state
 * kept. When the interrupt does not end the call within a grace period, the interpreter is killed; the
 * result says that the state was lost, and the next call starts a fresh interpreter. An interpreter
 * that dies during a call (the program exited it) is reported likewise. A deadline sets {@link
 * ExecutionResult#stoppedBy()}; the session driver's record never does (a session's program can
 * learn its marker).
 *
 * <p>Calls run one at a time, in order; thread-safe. {@link #close()} never waits for a call: it kills
 * the interpreter of a call that runs, which then throws {@link ExecutionCancelledException} saying
 * the session was closed.
 */
public final class InterpreterSession implements CodeSession {
    /** The session driver's file name for a language. */
    public static String driver(Language language) {
        return switch (language) {
            case PYTHON -> DriverProtocol.PYTHON_SESSION;
            case JAVASCRIPT -> DriverProtocol.JAVASCRIPT_SESSION;
            case TYPESCRIPT ->
                throw new UnsupportedCapabilityException("TypeScript sessions are not supported: use"
                        + " JavaScript sessions, or one-shot TypeScript execution");
        };
    }

    /** How a provider starts and interrupts the interpreter. */
    public interface Interpreter {
        /**
         * Starts the interpreter running the session driver; the session writes the header line
         * (with the fields {@link #header()} gives and its marker) to its standard input.
         */
        ExecProcess start() throws IOException;

        /** Header fields besides the marker ({@code support=PATH} for Python). */
        Map<String, String> header();

        /** Sends the interpreter an interrupt (SIGINT to its process group). */
        void interrupt(ExecProcess process) throws IOException;
    }

    /** Starts a command line as the provider starts any call (its variables, directory, launcher). */
    @FunctionalInterface
    public interface Launcher {
        ExecProcess start(List<String> command) throws IOException;
    }

    /** Sends SIGINT to a session's interpreter, however the provider reaches it. */
    @FunctionalInterface
    public interface Interrupter {
        void interrupt(ExecProcess process) throws IOException;
    }

    /**
     * A session whose interpreter runs the language's session driver from {@code driverDirectory}
     * (where {@link DriverProtocol#install} put every driver, as the interpreter sees the path).
     *
     * @param interpreter the Python or Node.js executable, as the interpreter's side sees it
     * @param timeout the default deadline of a call
     * @param outputLimit bytes of output kept per stream of a call
     * @throws UnsupportedCapabilityException for TypeScript
     */
    public static InterpreterSession of(
            Language language,
            String interpreter,
            String driverDirectory,
            Launcher launcher,
            Interrupter interrupter,
            Duration timeout,
            long outputLimit) {
        String script = driverDirectory + "/" + driver(language);
        List<String> command = language == Language.PYTHON
                ? List.of(interpreter, DriverProtocol.PYTHON_ISOLATED, script)
                : List.of(interpreter, script);
        Map<String, String> header = language == Language.PYTHON
                ? Map.of("support", driverDirectory + "/" + DriverProtocol.PYTHON_SUPPORT)
                : Map.of();
        Interpreter started = new Interpreter() {
            @Override
            public ExecProcess start() throws IOException {
                return launcher.start(command);
            }

            @Override
            public Map<String, String> header() {
                return header;
            }

            @Override
            public void interrupt(ExecProcess process) throws IOException {
                interrupter.interrupt(process);
            }
        };
        return new InterpreterSession(Ids.next("session"), language, started, timeout, outputLimit);
    }

    private static final Duration GRACE = Duration.ofSeconds(2);

    private final String id;
    private final Language language;
    private final Interpreter interpreter;
    private final Duration defaultTimeout;
    private final long outputLimit;
    private final int recordLimit;
    private final String marker = DriverProtocol.newMarker();
    /** Calls run one at a time; {@link #close()} does not take it, so that it never waits for a call. */
    private final ReentrantLock oneAtATime = new ReentrantLock();
    // Guarded by this (held only briefly: never while a call runs).
    private @Nullable Running running;
    private long calls;
    private volatile boolean closed;

    public InterpreterSession(
            String id, Language language, Interpreter interpreter, Duration defaultTimeout, long outputLimit) {
        this.id = Objects.requireNonNull(id, "id");
        this.language = Objects.requireNonNull(language, "language");
        this.interpreter = Objects.requireNonNull(interpreter, "interpreter");
        this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        this.outputLimit = outputLimit;
        this.recordLimit = ExecutionRun.recordLimit(outputLimit);
        driver(language); // refuses TypeScript
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Language language() {
        return language;
    }

    /** The interpreter process now, and the pumps of its streams. */
    private final class Running {
        final ExecProcess process;
        final Splitter out;
        final Splitter err;

        Running(ExecProcess process) {
            this.process = process;
            this.out = new Splitter(this, process.stdout(), "stdout");
            this.err = new Splitter(this, process.stderr(), "stderr");
        }
    }

    /** One call's output and end, filled by the pumps. */
    private static final class Call {
        final Running owner;
        final String id;
        final OutputCapture stdout;
        final OutputCapture stderr;
        final CompletableFuture<byte[]> record = new CompletableFuture<>();
        final CompletableFuture<Void> stderrEnded = new CompletableFuture<>();
        /** Set by {@link #close()} when it killed the interpreter under this call. */
        volatile boolean closedUnder;
        /** Set when the call's result record passed the record limit: what came of it was dropped. */
        volatile boolean recordTooLarge;

        Call(Running owner, String id, long limit) {
            this.owner = owner;
            this.id = id;
            this.stdout = new OutputCapture(limit);
            this.stderr = new OutputCapture(limit);
        }
    }

    private volatile @Nullable Call current;

    /**
     * Reads one of the interpreter's streams: bytes go to the current call until the driver's line
     * {@code "\n" MARKER ID ":" REST "\n"}, which ends the call's part of this stream.
     */
    private final class Splitter {
        private final Running owner;
        private final byte[] start;

        Splitter(Running owner, InputStream in, String name) {
            this.owner = owner;
            this.start = ("\n" + marker).getBytes(StandardCharsets.UTF_8);
            // The interpreter is quiet between calls: its reads wait on platform threads.
            PlatformThreads.start("exxec-session-" + name, () -> pump(in, name.equals("stdout")));
        }

        private void pump(InputStream in, boolean stdout) {
            byte[] chunk = new byte[8192];
            byte[] held = new byte[start.length]; // bytes that may begin a marker line
            int heldLength = 0;
            ByteArrayOutputStream line = null; // the marker line being read, after the marker
            boolean lineTooLarge = false; // it passed the record limit: the rest is dropped
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    int i = 0;
                    while (i < n) {
                        if (line != null) {
                            byte b = chunk[i++];
                            if (b == '\n') {
                                ended(line.toByteArray(), stdout, lineTooLarge);
                                line = null;
                                lineTooLarge = false;
                            } else if (line.size() < recordLimit) {
                                line.write(b);
                            } else {
                                lineTooLarge = true;
                            }
                        } else if (heldLength == 0) {
                            // Output up to the next line feed, which may begin a marker line.
                            int j = i;
                            while (j < n && chunk[j] != '\n') {
                                j++;
                            }
                            deliver(chunk, i, j - i, stdout);
                            if (j < n) {
                                held[heldLength++] = '\n';
                            }
                            i = j + 1;
                        } else {
                            byte b = chunk[i++];
                            if (b == start[heldLength]) {
                                held[heldLength++] = b;
                                if (heldLength == start.length) {
                                    heldLength = 0;
                                    line = new ByteArrayOutputStream();
                                }
                            } else {
                                deliver(held, 0, heldLength, stdout); // it was output after all
                                heldLength = 0;
                                if (b == '\n') {
                                    held[heldLength++] = '\n';
                                } else {
                                    deliver(new byte[] {b}, 0, 1, stdout);
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the interpreter went away
            } finally {
                deliver(held, 0, heldLength, stdout);
                Call call = mine();
                if (call != null) {
                    // the interpreter ended in the middle of a call
                    if (stdout) {
                        call.record.complete(null);
                    } else {
                        call.stderrEnded.complete(null);
                    }
                }
            }
        }

        /** The current call when it is this interpreter's (one that was replaced may still be read). */
        private @Nullable Call mine() {
            Call call = current;
            return call != null && call.owner == owner ? call : null;
        }

        private void deliver(byte[] bytes, int offset, int length, boolean stdout) {
            Call call = mine();
            if (call != null && length > 0) {
                (stdout ? call.stdout : call.stderr).append(bytes, offset, length);
            }
            // Output while no call runs (a thread of an earlier program) belongs to nobody.
        }

        private void ended(byte[] rest, boolean stdout, boolean tooLarge) {
            int colon = indexOf(rest, (byte) ':');
            Call call = mine();
            if (colon < 0 || call == null || !new String(rest, 0, colon, StandardCharsets.UTF_8).equals(call.id)) {
                return; // not this call's
            }
            if (stdout) {
                call.recordTooLarge = tooLarge;
                call.record.complete(Arrays.copyOfRange(rest, colon + 1, rest.length));
            } else {
                call.stderrEnded.complete(null);
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public ExecutionResult execute(Code code) {
        return run(code, false);
    }

    @Override
    public ExecutionResult evaluate(Code code) {
        return run(code, true);
    }

    private ExecutionResult run(Code code, boolean interactive) {
        checkOpen();
        if (code.language() != language) {
            throw new IllegalArgumentException("session " + id + " runs " + language + ", not " + code.language());
        }
        if (!code.env().isEmpty() || code.cwd() != null) {
            throw new UnsupportedCapabilityException("a session's variables and working directory are its"
                    + " interpreter's: set them for the environment, not per call (session " + id + ")");
        }
        Duration timeout = code.timeout() != null ? code.timeout() : defaultTimeout;
        try {
            oneAtATime.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException("a call of session " + id + " was cancelled before it started", e);
        }
        try {
            checkOpen();
            long started = System.nanoTime();
            Running r = ensureRunning();
            Call call;
            synchronized (this) {
                if (closed) { // closed while the interpreter started: close() did not see it
                    r.process.kill();
                    r.process.release();
                    running = null;
                    throw closedError();
                }
                call = new Call(r, Long.toString(++calls), outputLimit);
                current = call;
            }
            try {
                ExecutionResult result = call(r, call, code, interactive, timeout, started);
                if (call.closedUnder) {
                    throw closedError();
                }
                return result;
            } catch (InterruptedException e) {
                kill(r);
                Thread.currentThread().interrupt();
                throw new ExecutionCancelledException(
                        "a call of session " + id + " was cancelled; the interpreter was killed and its state is lost",
                        e);
            } finally {
                current = null;
            }
        } finally {
            oneAtATime.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session " + id + " is closed");
        }
    }

    private ExecutionCancelledException closedError() {
        return new ExecutionCancelledException("session " + id + " was closed during the call: its interpreter was"
                + " killed, and the call did not finish");
    }

    private ExecutionResult call(Running r, Call call, Code code, boolean interactive, Duration timeout, long started)
            throws InterruptedException {
        byte[] source = code.source().getBytes(StandardCharsets.UTF_8);
        // The request line's optional fields: Code refused control characters in the name, so it
        // holds no tab and no line break.
        String fields = (code.name() != null ? "\tname=" + code.name() : "") + (interactive ? "\tmode=repl" : "");
        try {
            OutputStream in = r.process.stdin();
            in.write(("exxec-call/1\t" + call.id + "\t" + source.length + fields + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.write(source);
            in.flush();
        } catch (IOException e) {
            return lost(r, call, started, "the session's interpreter is gone (" + e.getMessage() + ")", null);
        }
        byte[] record;
        boolean interrupted = false;
        try {
            record = timeout.isZero()
                    ? call.record.get()
                    : call.record.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            interrupted = true;
            try {
                interpreter.interrupt(r.process);
                record = call.record.get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException | TimeoutException | ExecutionException again) {
                record = null;
            }
            if (record == null) {
                return lost(
                        r,
                        call,
                        started,
                        "the call ran past its deadline of " + seconds(timeout) + " and did not stop when"
                                + " interrupted: the session's interpreter was killed, and its state is lost (the"
                                + " next call starts a new one)",
                        Stop.DEADLINE);
            }
        } catch (ExecutionException e) {
            record = null;
        }
        if (record == null) {
            return lost(r, call, started, "the session's interpreter ended during the call", null);
        }
        try {
            call.stderrEnded.get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // its stderr end line did not come: what came is the call's
        }
        ExecutionResult.Builder result = outputs(call, started);
        if (call.recordTooLarge && !interrupted) {
            return result.error(ExecutionRun.recordTooLarge(outputLimit), ErrorTypes.OUTPUT_LIMIT, null)
                    .build();
        }
        DriverProtocol.@Nullable DriverRecord parsed;
        try {
            parsed = call.recordTooLarge ? null : DriverProtocol.parse(record);
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (parsed != null) {
            result.outputs(parsed.outputs());
        }
        // Whether the deadline came is this side's to say; the record is the program's (the session
        // driver knows the marker, so a program may write one).
        if (interrupted) {
            result.stopped(
                    Stop.DEADLINE,
                    "the call ran past its deadline of " + seconds(timeout)
                            + " and was interrupted; the session's state is kept",
                    parsed == null ? null : parsed.traceback());
        } else if (parsed == null) {
            result.error("the session driver's result record is malformed", ErrorTypes.PROCESS_EXIT, null);
        } else if (!parsed.ok()) {
            result.error(
                    Objects.requireNonNullElse(parsed.error(), ""),
                    Objects.requireNonNullElse(parsed.errorType(), "Error"),
                    parsed.traceback());
        } else {
            result.success(true).result(parsed.value(), parsed.type());
        }
        return result.build();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private ExecutionResult.Builder outputs(Call call, long started) {
        return ExecutionResult.builder()
                .stdout(call.stdout.text())
                .stderr(call.stderr.text())
                .stdoutTruncated(call.stdout.truncated())
                .stderrTruncated(call.stderr.truncated())
                .duration(Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * The interpreter is (made) gone: the result says so, with the stop when this side stopped it; the
     * next call starts a new one.
     */
    private ExecutionResult lost(Running r, Call call, long started, String why, @Nullable Stop stop) {
        kill(r);
        int exit = 128 + 9;
        if (call.closedUnder) {
            throw closedError(); // close() killed it: nothing was lost that the caller still has
        }
        try {
            if (r.process.waitFor(Duration.ofSeconds(2))) {
                exit = r.process.exitCode();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ExecutionResult.Builder result = outputs(call, started).exitCode(exit);
        if (stop != null) {
            return result.stopped(stop, why, null).build();
        }
        return result.error(why + " (exit code " + exit + "); its state is lost", ErrorTypes.PROCESS_EXIT, null)
                .build();
    }

    private void kill(Running r) {
        r.process.kill();
        synchronized (this) {
            if (running == r) {
                running = null;
            }
        }
    }

    /** The interpreter, started when there is none; called holding {@link #oneAtATime}. */
    private Running ensureRunning() {
        Running r;
        synchronized (this) {
            r = running;
        }
        if (r != null) {
            try {
                if (!r.process.waitFor(Duration.ofNanos(1))) {
                    return r;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ExecutionCancelledException("interrupted", e);
            }
            synchronized (this) {
                if (running == r) {
                    running = null;
                }
            }
        }
        ExecProcess process;
        try {
            process = interpreter.start();
        } catch (IOException e) {
            throw new ExxecException(
                    "could not start the " + language + " interpreter of session " + id + ": " + e.getMessage(), e);
        }
        StringBuilder header = new StringBuilder("exxec-session/1\tmarker=").append(marker);
        interpreter
                .header()
                .forEach((k, v) -> header.append('\t').append(k).append('=').append(v));
        header.append('\n');
        try {
            process.stdin().write(header.toString().getBytes(StandardCharsets.UTF_8));
            process.stdin().flush();
        } catch (IOException e) {
            process.kill();
            throw new ExxecException(
                    "the " + language + " interpreter of session " + id + " did not start: " + e.getMessage(), e);
        }
        r = new Running(process);
        synchronized (this) {
            running = r;
        }
        return r;
    }

    /** Whether it was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Whether the interpreter is running now (it starts with the first call, again after a loss). */
    public synchronized boolean isRunning() {
        return running != null;
    }

    /**
     * Ends the session at once. A call that runs is not waited for: its interpreter is killed, and
     * the call throws {@link ExecutionCancelledException} saying that the session was closed. An idle
     * interpreter is let end at the end of its input, and killed when it has not within 500 ms.
     */
    @Override
    public void close() {
        Running r;
        Call call;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            r = running;
            running = null;
            call = current;
        }
        if (r != null && call != null && call.owner == r) {
            call.closedUnder = true;
            r.process.kill(); // the whole tree, at once
            call.record.complete(null); // the caller wakes now, not when the pumps see the end
            call.stderrEnded.complete(null);
            r.process.release();
        } else if (r != null) {
            try {
                r.process.stdin().close(); // the driver ends at the end of its input
                if (!r.process.waitFor(Duration.ofMillis(500))) {
                    r.process.kill();
                }
            } catch (IOException e) {
                r.process.kill();
            } catch (InterruptedException e) {
                r.process.kill();
                Thread.currentThread().interrupt();
            }
            r.process.release();
        }
    }

    @Override
    public String toString() {
        return "InterpreterSession[" + id + ", " + language + ", " + calls + " calls]";
    }
}
