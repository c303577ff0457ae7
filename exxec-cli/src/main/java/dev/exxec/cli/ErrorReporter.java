package dev.exxec.cli;

import dev.exxec.ExxecException;
import dev.exxec.UnsupportedCapabilityException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports what went wrong as one line {@code exxec: <message>} on stderr, with the stack trace only
 * under {@code --verbose}, and picks the exit code (see {@link ExitCodes}). Picocli's own handlers
 * would print usage pages and stack traces.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    private final PrintStream err;
    private final boolean terminal;

    /**
     * @param terminal whether {@code err} is a terminal: a message carries text exxec did not write (a
     *     file or directory name, a mistyped word, a server's or a daemon's error), shown escaped there
     *     as the program's output is (see {@link TerminalText})
     */
    ErrorReporter(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Prints one {@code exxec: } line, escaped on a terminal. */
    private void say(String message) {
        err.println("exxec: " + (terminal ? TerminalText.escapeAll(message) : message));
    }

    /** A command line picocli could not parse: the message, a "did you mean", and where to read more. */
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        StringBuilder line = new StringBuilder();
        if (e instanceof UnmatchedArgumentException u && unknownCommand(u)) {
            String word = u.getUnmatched().getFirst();
            line.append("unknown command '").append(word).append("'");
            suggest(line, Suggestions.closest(word, commands(spec)));
            line.append("; the commands are ").append(String.join(", ", commands(spec)));
        } else {
            line.append(e.getMessage());
            if (e instanceof UnmatchedArgumentException u) {
                List<String> suggestions = u.getSuggestions();
                if (suggestions.isEmpty() && !u.getUnmatched().isEmpty()) {
                    String word = u.getUnmatched().getFirst();
                    suggestions = Suggestions.closest(
                            word,
                            word.startsWith("-")
                                    ? new ArrayList<>(spec.optionsMap().keySet())
                                    : commands(spec));
                }
                suggest(line, suggestions);
            }
        }
        line.append("; see '").append(spec.qualifiedName()).append(" --help'");
        say(line.toString());
        err.flush();
        return ExitCodes.EXXEC_FAILED;
    }

    /** A word where a command was expected: the first argument of {@code exxec} itself, not an option. */
    private static boolean unknownCommand(UnmatchedArgumentException u) {
        CommandSpec spec = u.getCommandLine().getCommandSpec();
        return spec.parent() == null
                && !spec.subcommands().isEmpty()
                && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-");
    }

    /** The subcommands of a command, in the order of its help. */
    static List<String> commands(CommandSpec spec) {
        return List.copyOf(spec.subcommands().keySet());
    }

    private static void suggest(StringBuilder line, List<String> suggestions) {
        if (!suggestions.isEmpty()) {
            line.append(" (did you mean ")
                    .append(String.join(" or ", suggestions))
                    .append("?)");
        }
    }

    /** An exception thrown by a command: exxec's own are messages, anything else is a bug to report. */
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        if (Shutdown.started()) {
            // Ctrl-C or SIGTERM closed the environment under the running call; that is no error. (The JVM
            // ends with the signal's status, 128 + n, whatever is returned here.)
            return ExitCodes.EXXEC_FAILED;
        }
        boolean verbose = verbose(parsed);
        if (e instanceof ExxecException) {
            say(String.valueOf(e.getMessage()));
        } else {
            say("unexpected error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)"));
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    /** The exit code of a failure: the program not found or not runnable, else exxec's own failure. */
    static int exitCode(Exception e) {
        return switch (e) {
            case UsageException u -> u.exitCode();
            case UnsupportedCapabilityException unsupported -> ExitCodes.CANNOT_RUN;
            default -> ExitCodes.EXXEC_FAILED;
        };
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
