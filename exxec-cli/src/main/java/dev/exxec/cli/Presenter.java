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
    private boolean outAtLineStart = true;
    private boolean errAtLineStart = true;

    Presenter(StdIo io, OutputOptions options, Kind kind) {
        this.io = io;
        this.options = options;
        this.kind = kind;
    }

    /**
     * Runs the call the way the options ask and prints it.
     *
     * @param execute runs it to the end
     * @param stream starts it with live events
     * @return its result
     */
    ExecutionResult present(Supplier<ExecutionResult> execute, Supplier<EventStream> stream) {
        ExecutionResult result = options.stream ? streamed(stream) : execute.get();
        if (options.json) {
            JsonOutput.println(
                    io.out(),
                    options.stream ? JsonOutput.event("result", JsonOutput.result(result)) : JsonOutput.result(result));
            return result;
        }
        if (!options.stream) {
            write(io.out(), result.stdout(), true);
            write(io.err(), result.stderr(), false);
        }
        if (!Shutdown.started()) {
            tail(result);
        }
        io.out().flush();
        io.err().flush();
        return result;
    }

    private ExecutionResult streamed(Supplier<EventStream> start) {
        try (EventStream events = start.get()) {
            for (ExecutionEvent event : events) {
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

    private void write(PrintStream stream, String text, boolean out) {
        if (text.isEmpty()) {
            return;
        }
        stream.print(text);
        stream.flush();
        if (out) {
            outAtLineStart = text.endsWith("\n");
        } else {
            errAtLineStart = text.endsWith("\n");
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

    /** Prints a line, starting a new one first when the code's own output ended mid-line. */
    private void line(PrintStream stream, boolean out, String text) {
        boolean atStart = out ? outAtLineStart : errAtLineStart;
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
