package dev.exxec.spi;

import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.ExxecException;
import dev.exxec.StdStream;
import dev.exxec.Stop;
import dev.exxec.internal.OutputCapture;
import dev.exxec.internal.PlatformThreads;
import dev.exxec.internal.RecordSize;
import dev.exxec.internal.StreamPump;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs one execution of a process to its end: the shared machinery behind every provider's {@code
 * execute} and {@code executeCommand}.
 *
 * <p>It starts the process, feeds its standard input, drains standard output and error on their own
 * threads into bounded captures (and, when streaming, into events as the output comes), enforces the
 * deadline by killing everything the process started, and turns the exit code and the driver's
 * result record into an {@link ExecutionResult}. Output of any size keeps memory bounded by the
 * output limit.
 *
 * <p>{@link ExecutionResult#stoppedBy()} comes from this side only (the deadline it kept, the limit
 * it counted, the cancellation it saw) and from the process's {@link ExecProcess#conclude}; a record
 * never sets it, whatever error type it names.
 */
public final class ExecutionRun {
    /** How long the streams may stay open after the process exited before leftovers are killed. */
    private static final Duration LEFTOVER_GRACE = Duration.ofMillis(200);
    /** How long to wait for the streams to close after a kill. */
    private static final Duration DRAIN_AFTER_KILL = Duration.ofMillis(700);

    private ExecutionRun() {}

    /** What a run executes: code through a driver, or a shell command. */
    public enum Kind {
        CODE,
        COMMAND
    }

    /**
     * One run's settings.
     *
     * @param id the execution id carried by its events
     * @param description what runs, for the {@code Started} event
     * @param kind code or command
     * @param timeout the deadline, measured from the start; {@link Duration#ZERO} for none
     * @param outputLimit bytes kept per stream
     * @param stopOnOutputLimit whether exceeding the limit kills the run ({@code OutputLimitError})
     * @param stdin bytes written to standard input before it is closed, or {@code null} for none
     * @param result where the driver's result record comes from
     */
    public record Spec(
            String id,
            String description,
            Kind kind,
            Duration timeout,
            long outputLimit,
            boolean stopOnOutputLimit,
            byte @Nullable [] stdin,
            ResultChannel result) {
        public Spec {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(result, "result");
            if (outputLimit < 0) {
                throw new IllegalArgumentException("outputLimit must not be negative");
            }
        }
    }

    /** Starts the process of a run. */
    @FunctionalInterface
    public interface Launcher {
        /** Starts it; an {@link IOException} becomes an {@link ExxecException} naming the run. */
        ExecProcess launch() throws IOException;
    }

    /**
     * Runs to the end and returns the result; with a sink, also emits its events (the terminal event
     * last, after all output).
     *
     * @throws ExecutionCancelledException when the calling thread is interrupted; everything was
     *     killed, the sink got a {@code Failed} event, and the interrupt flag is set again
     * @throws ExxecException when the process could not be started
     */
    public static ExecutionResult run(Spec spec, Launcher launcher, @Nullable EventSink sink) {
        long started = System.nanoTime();
        ExecProcess process;
        try {
            process = launcher.launch();
        } catch (IOException e) {
            throw new ExxecException("could not start " + spec.description() + ": " + e.getMessage(), e);
        }
        if (sink != null) {
            sink.emit(new ExecutionEvent.Started(spec.id(), spec.description(), process.pid()));
        }

        OutputCapture out = new OutputCapture(spec.outputLimit());
        OutputCapture err = new OutputCapture(spec.outputLimit());
        BiConsumer<StdStream, String> listener =
                sink == null ? null : (stream, text) -> sink.emit(new ExecutionEvent.Output(spec.id(), stream, text));
        AtomicBoolean limitHit = new AtomicBoolean(); // set by a pump thread
        // The kill runs beside the pump, which goes on reading: a provider whose kill waits for the
        // process's output to be consumed (a container's daemon does) must not wait for the pump.
        Runnable onLimit = spec.stopOnOutputLimit()
                ? () -> {
                    limitHit.set(true);
                    Thread.ofVirtual().name(spec.id() + "-limit-kill").start(process::kill);
                }
                : null;
        byte[] marker =
                spec.result() instanceof ResultChannel.Marker m ? m.marker().getBytes(StandardCharsets.UTF_8) : null;
        int recordLimit = recordLimit(spec.outputLimit());
        StreamPump outPump =
                new StreamPump(process.stdout(), StdStream.STDOUT, out, listener, marker, recordLimit, onLimit);
        StreamPump errPump = new StreamPump(process.stderr(), StdStream.STDERR, err, listener, null, 0, onLimit);
        Thread outThread = PlatformThreads.start(spec.id() + "-stdout", outPump);
        Thread errThread = PlatformThreads.start(spec.id() + "-stderr", errPump);
        feedStdin(spec, process);

        boolean timedOut = false;
        boolean cancelled = false;
        try {
            boolean exited;
            if (spec.timeout().isZero()) {
                exited = process.waitFor(Duration.ZERO);
            } else {
                long remaining = spec.timeout().toNanos() - (System.nanoTime() - started);
                exited = remaining > 0 && process.waitFor(Duration.ofNanos(remaining));
            }
            if (!exited) {
                timedOut = true;
                process.kill();
            }
            drain(process, outThread, errThread);
        } catch (InterruptedException e) {
            cancelled = true;
            process.kill();
            try {
                drain(process, outThread, errThread);
            } catch (InterruptedException again) {
                process.closeStreams();
            }
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        int exitCode = exitCode(process);

        ExecutionResult.Builder result = ExecutionResult.builder()
                .stdout(out.text())
                .stderr(err.text())
                .stdoutTruncated(out.truncated())
                .stderrTruncated(err.truncated())
                .exitCode(exitCode)
                .duration(duration);
        // What this side did decides first, and alone sets stoppedBy: the record a program wrote may say
        // anything, exxec's own words included.
        if (cancelled) {
            result.stopped(Stop.CANCELLATION, "the execution was cancelled and everything it started was killed", null);
        } else if (limitHit.get()) {
            result.stopped(
                    Stop.OUTPUT_LIMIT,
                    "output exceeded the limit of " + spec.outputLimit()
                            + " bytes per stream; the execution was stopped",
                    null);
        } else if (timedOut) {
            result.stopped(
                    Stop.DEADLINE,
                    "the execution exceeded its timeout of " + human(spec.timeout()) + " and was killed",
                    null);
        } else if (exitCode == 128 + 24) {
            result.error("the CPU time limit was reached (SIGXCPU)", ErrorTypes.CPU_TIME_LIMIT, null);
        } else if (exitCode == 128 + 25) {
            result.error("a file reached the file size limit (SIGXFSZ)", ErrorTypes.FILE_SIZE_LIMIT, null);
        } else if (spec.kind() == Kind.COMMAND) {
            if (exitCode == 0) {
                result.success(true);
            } else {
                result.error("the command exited with " + describeExit(exitCode), ErrorTypes.PROCESS_EXIT, null);
            }
        } else {
            codeOutcome(spec, outPump, exitCode, result);
        }
        if (!cancelled && !timedOut) {
            process.release();
        }
        ExecutionResult finished = process.conclude(result.build());
        if (spec.kind() == Kind.CODE
                && finished.stoppedBy() == null
                && RecordSize.exceeds(finished, recordLimit(spec.outputLimit()))) {
            // One rule whatever carried the outcome: a record too large for the drivers' channel is too
            // large from a provider that reads values in the JVM as well.
            finished = finished.toBuilder()
                    .success(false)
                    .result(null, null)
                    .outputs(List.of())
                    .error(recordTooLarge(spec.outputLimit()), ErrorTypes.OUTPUT_LIMIT, null)
                    .build();
        }
        if (sink != null) {
            sink.emit(terminalEvent(spec.id(), finished));
        }
        if (cancelled) {
            Thread.currentThread().interrupt();
            throw new ExecutionCancelledException(
                    "execution " + spec.id() + " was cancelled; everything it started was killed");
        }
        return finished;
    }

    /** The terminal event for a finished result. */
    public static ExecutionEvent terminalEvent(String id, ExecutionResult r) {
        if (r.success()) {
            return new ExecutionEvent.Completed(id, r.exitCode(), r.duration(), r);
        }
        return new ExecutionEvent.Failed(
                id, Objects.requireNonNullElse(r.error(), ""), Objects.requireNonNull(r.errorType()), r.exitCode(), r);
    }

    /**
     * The largest result record read, one-shot or in a session: the output limit, and at least 1 MiB
     * (a value is not output; a small limit for output must not refuse every value).
     */
    public static int recordLimit(long outputLimit) {
        return (int) Math.min(Integer.MAX_VALUE - 64, Math.max(outputLimit, 1 << 20));
    }

    /** What a call whose result record passed {@link #recordLimit} reports, as an {@link ErrorTypes#OUTPUT_LIMIT}. */
    public static String recordTooLarge(long outputLimit) {
        return "the result could not be read: it is larger than the limit of " + recordLimit(outputLimit) + " bytes";
    }

    private static void codeOutcome(Spec spec, StreamPump outPump, int exitCode, ExecutionResult.Builder result) {
        if (outPump.recordTooLarge()) {
            result.error(recordTooLarge(spec.outputLimit()), ErrorTypes.OUTPUT_LIMIT, null);
            return;
        }
        byte[] raw;
        try {
            raw = switch (spec.result()) {
                case ResultChannel.None none -> null;
                case ResultChannel.Marker m -> outPump.record();
                case ResultChannel.File f -> readBounded(f.path(), spec.outputLimit());
            };
        } catch (RecordTooLarge e) {
            result.error(recordTooLarge(spec.outputLimit()), ErrorTypes.OUTPUT_LIMIT, null);
            return;
        } catch (IOException e) {
            result.error("the result could not be read: " + e.getMessage(), ErrorTypes.OUTPUT_LIMIT, null);
            return;
        }
        if (raw == null) {
            if (exitCode == 0) {
                result.success(true);
            } else {
                result.error(
                        "the process exited with " + describeExit(exitCode) + " before reporting a result",
                        ErrorTypes.PROCESS_EXIT,
                        null);
            }
            return;
        }
        DriverProtocol.DriverRecord record;
        try {
            record = DriverProtocol.parse(raw);
        } catch (IllegalArgumentException e) {
            result.error("the driver's result record is malformed: " + e.getMessage(), ErrorTypes.PROCESS_EXIT, null);
            return;
        }
        if (!record.ok()) {
            result.error(
                    Objects.requireNonNullElse(record.error(), ""),
                    Objects.requireNonNullElse(record.errorType(), "Error"),
                    record.traceback());
        } else if (exitCode != 0) {
            result.result(record.value(), record.type())
                    .error(
                            "the code returned a result, then the process exited with " + describeExit(exitCode),
                            ErrorTypes.PROCESS_EXIT,
                            null);
        } else {
            result.success(true).result(record.value(), record.type());
        }
    }

    /** A result file larger than the {@link #recordLimit}. */
    private static final class RecordTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        RecordTooLarge() {
            super("the result record is larger than the limit");
        }
    }

    private static byte @Nullable [] readBounded(java.nio.file.Path path, long limit) throws IOException {
        try {
            if (Files.size(path) > recordLimit(limit)) {
                throw new RecordTooLarge();
            }
            byte[] record = Files.readAllBytes(path);
            return record.length == 0 ? null : record; // created but never written: no record
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private static void feedStdin(Spec spec, ExecProcess process) {
        byte[] input = spec.stdin();
        OutputStream stdin = process.stdin();
        if (input == null || input.length == 0) {
            closeQuietly(stdin);
            return;
        }
        Runnable write = () -> {
            try {
                stdin.write(input);
            } catch (IOException e) {
                // The process ended or closed its input early; its result says what happened.
            } finally {
                closeQuietly(stdin);
            }
        };
        if (input.length <= 32 * 1024) {
            write.run(); // fits the pipe: cannot block
        } else {
            PlatformThreads.start(spec.id() + "-stdin", write); // a pipe write may wait as long as the process
        }
    }

    /** Waits for both pumps; leftovers holding the streams open are killed, then the streams closed. */
    private static void drain(ExecProcess process, Thread out, Thread err) throws InterruptedException {
        if (join(out, err, LEFTOVER_GRACE)) {
            return;
        }
        process.kill();
        if (join(out, err, DRAIN_AFTER_KILL)) {
            return;
        }
        process.closeStreams();
        join(out, err, DRAIN_AFTER_KILL);
    }

    private static boolean join(Thread a, Thread b, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        a.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        b.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        return !a.isAlive() && !b.isAlive();
    }

    private static int exitCode(ExecProcess process) {
        try {
            if (process.waitFor(Duration.ofSeconds(2))) {
                return process.exitCode();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 128 + 9;
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // already closed by the process's end
        }
    }

    /** "exit code 3" or "exit code 137 (killed by signal 9, SIGKILL)". */
    public static String describeExit(int exitCode) {
        if (exitCode > 128 && exitCode < 128 + 65) {
            int signal = exitCode - 128;
            return "exit code " + exitCode + " (killed by signal " + signal + signalName(signal) + ")";
        }
        return "exit code " + exitCode;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> ", SIGHUP";
            case 2 -> ", SIGINT";
            case 3 -> ", SIGQUIT";
            case 6 -> ", SIGABRT";
            case 9 -> ", SIGKILL";
            case 11 -> ", SIGSEGV";
            case 13 -> ", SIGPIPE";
            case 15 -> ", SIGTERM";
            case 24 -> ", SIGXCPU";
            case 25 -> ", SIGXFSZ";
            default -> "";
        };
    }

    /** A duration as people write it: 2s, 1.5s, 250ms, 2m. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return (ms / 60_000) + "m";
        }
        if (ms >= 1000) {
            return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.valueOf(ms / 1000.0)) + "s";
        }
        return ms + "ms";
    }
}
