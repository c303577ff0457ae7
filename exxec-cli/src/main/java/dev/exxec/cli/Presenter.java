package dev.exxec.cli;

import dev.exxec.ErrorTypes;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionEvent.Completed;
import dev.exxec.ExecutionEvent.Failed;
import dev.exxec.ExecutionEvent.Output;
import dev.exxec.ExecutionEvent.Started;
import dev.exxec.ExecutionResult;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs one call (buffered or streamed) and prints it in the chosen form: plain text, one JSON object,
 * or JSON lines. Plain text keeps the streams apart: what the code wrote to stdout goes to stdout,
 * its stderr to stderr, and exxec's own remarks to stderr.
 *
 * <p>When stdout is a terminal, plain text is streamed as the program writes it, as the program
 * would print it run by itself. On a terminal the program's control characters are shown escaped
 * (see {@link TerminalText}) unless {@code --raw-output}; while nothing has been printed yet, a
 * terminal's stderr shows a progress note (see {@link Progress}).
 */
final class Presenter {
    /** What kind of call is printed: code has a result value and a traceback, a command only an exit. */
    enum Kind {
        CODE,
        COMMAND
    }

    private final StdIo io;
    private final OutputOptions options;
    private final Kind kind;
    private final @Nullable TerminalText outText;
    private final @Nullable TerminalText errText;
    private boolean outAtLineStart = true;
    private boolean errAtLineStart = true;

    Presenter(StdIo io, OutputOptions options, Kind kind) {
        this.io = io;
        this.options = options;
        this.kind = kind;
        boolean escape = !options.json && !options.rawOutput;
        this.outText = escape && io.tty().stdout() ? new TerminalText() : null;
        this.errText = escape && io.tty().stderr() ? new TerminalText() : null;
    }

    /** Whether output is printed as it happens: asked for, or plain text to a terminal. */
    boolean streams() {
        return options.stream || (!options.json && io.tty().stdout());
    }

    /**
     * Runs the call the way the options ask and prints it.
     *
     * @param execute runs it to the end
     * @param stream starts it with live events
     * @return its result
     */
    ExecutionResult present(Supplier<ExecutionResult> execute, Supplier<EventStream> stream) {
        boolean streaming = streams();
        ExecutionResult result;
        if (streaming) {
            result = streamed(stream);
        } else {
            try (Progress p = Progress.start(io, "running; the output follows when the call ends")) {
                result = execute.get();
            }
        }
        if (options.json) {
            JsonOutput.println(
                    io.out(),
                    options.stream ? JsonOutput.event("result", JsonOutput.result(result)) : JsonOutput.result(result));
            return result;
        }
        if (!streaming) {
            write(io.out(), result.stdout(), true);
            write(io.err(), result.stderr(), false);
        }
        finishOutput();
        if (!Shutdown.started()) {
            tail(result);
        }
        io.out().flush();
        io.err().flush();
        return result;
    }

    private ExecutionResult streamed(Supplier<EventStream> start) {
        // Until the first output (or the end), a terminal's stderr says that exxec waits.
        Progress waiting = Progress.start(io, "running");
        try (waiting;
                EventStream events = start.get()) {
            for (ExecutionEvent event : events) {
                if (!(event instanceof Started)) {
                    waiting.close();
                }
                switch (event) {
                    case Started s -> {
                        if (options.json) {
                            JsonOutput.println(io.out(), JsonOutput.started(s));
                        }
                    }
                    case Output o -> print(o);
                    case Completed c -> {
                        return c.result();
                    }
                    case Failed f -> {
                        return f.result();
                    }
                }
            }
            // The iteration ends after the terminal event, so this only asks the stream to explain.
            return events.result();
        }
    }

    private void print(Output o) {
        if (options.json) {
            JsonOutput.println(io.out(), JsonOutput.output(o));
            return;
        }
        switch (o.stream()) {
            case STDOUT -> write(io.out(), o.text(), true);
            case STDERR -> write(io.err(), o.text(), false);
        }
    }

    /** Writes a piece of the program's output, escaped for a terminal where that applies. */
    private void write(PrintStream stream, String text, boolean out) {
        TerminalText escaper = out ? outText : errText;
        String shown = escaper == null ? text : escaper.escape(text);
        if (shown.isEmpty()) {
            return;
        }
        stream.print(shown);
        stream.flush();
        if (out) {
            outAtLineStart = shown.endsWith("\n");
        } else {
            errAtLineStart = shown.endsWith("\n");
        }
    }

    /** Writes what an escaper still holds back (a final carriage return) once the output has ended. */
    private void finishOutput() {
        if (outText != null) {
            write(io.out(), outText.finish(), true);
        }
        if (errText != null) {
            write(io.err(), errText.finish(), false);
        }
    }

    /** What plain text adds after the output: the value, the error, the truncation notes. */
    private void tail(ExecutionResult r) {
        if (kind == Kind.CODE && (r.result() != null || r.resultType() != null)) {
            line(io.out(), true, valueText(r.result()));
        }
        if (!r.success()) {
            failure(r);
        }
        if (r.stdoutTruncated()) {
            note("stdout was cut at the output limit; raise it with --set outputLimit=50m to keep more");
        }
        if (r.stderrTruncated()) {
            note("stderr was cut at the output limit; raise it with --set outputLimit=50m to keep more");
        }
    }

    private void failure(ExecutionResult r) {
        String summary = r.errorType() + (r.error() == null || r.error().isEmpty() ? "" : ": " + r.error());
        if (kind == Kind.COMMAND) {
            // A command's failure is its exit code, which the CLI passes on; anything else is exxec's news.
            if (!ErrorTypes.PROCESS_EXIT.equals(r.errorType())) {
                note(summary);
            }
            return;
        }
        String traceback = r.traceback();
        if (traceback != null && !traceback.isBlank()) {
            line(io.err(), false, traceback.stripTrailing());
        }
        if (r.stoppedBy() != null) {
            note(summary); // exxec stopped it: exxec says so, whatever the traceback holds
        } else if (traceback == null || !namesItsError(traceback, r.errorType())) {
            // Python's and Node's tracebacks end or start with this line already; say it once.
            line(io.err(), false, summary);
        }
    }

    /**
     * Whether a traceback has its error's line already ({@code ValueError: ...}, {@code SyntaxError:
     * expected ':'}): a SyntaxError's message adds where it was, which its traceback shows above.
     */
    static boolean namesItsError(String traceback, @Nullable String errorType) {
        if (errorType == null) {
            return false;
        }
        for (String line : traceback.split("\n")) {
            if (line.equals(errorType) || line.startsWith(errorType + ": ")) {
                return true;
            }
        }
        return false;
    }

    private void note(String message) {
        line(io.err(), false, "exxec: " + message);
    }

    /**
     * Prints a line, starting a new one first when the code's own output ended mid-line. The line
     * may hold the program's text (a value, a traceback, an error message): on a terminal it is
     * escaped as the output is.
     */
    private void line(PrintStream stream, boolean out, String raw) {
        boolean atStart = out ? outAtLineStart : errAtLineStart;
        String text = (out ? outText : errText) == null ? raw : TerminalText.escapeAll(raw);
        stream.print(atStart ? text + "\n" : "\n" + text + "\n");
        if (out) {
            outAtLineStart = true;
        } else {
            errAtLineStart = true;
        }
    }

    /** The value as plain text: strings, numbers and booleans as they are, containers as JSON. */
    static String valueText(@Nullable Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> s;
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            default -> JsonOutput.write(value);
        };
    }
}
