package dev.exxec.cli;

import dev.exxec.ExxecException;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports what went wrong as one line {@code exxec: <message>} on stderr, with the stack trace only
 * under {@code --verbose}, and picks the exit code. Picocli's own handlers would print usage pages and
 * stack traces.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    private final PrintStream err;

    ErrorReporter(PrintStream err) {
        this.err = err;
    }

    /** A command line picocli could not parse: the message and where to read more. */
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        StringBuilder line = new StringBuilder(e.getMessage());
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append(" (did you mean ")
                    .append(String.join(" or ", u.getSuggestions()))
                    .append("?)");
        }
        line.append("; see '")
                .append(e.getCommandLine().getCommandSpec().qualifiedName())
                .append(" --help'");
        err.println("exxec: " + line);
        err.flush();
        return ExitCodes.NOT_RUN;
    }

    /** An exception thrown by a command: exxec's own are messages, anything else is a bug to report. */
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        if (Shutdown.started()) {
            // Ctrl-C or SIGTERM closed the environment under the running call; that is no error.
            return ExitCodes.NOT_RUN;
        }
        boolean verbose = verbose(parsed);
        if (e instanceof ExxecException) {
            err.println("exxec: " + e.getMessage());
        } else {
            err.println("exxec: unexpected error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)"));
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.NOT_RUN;
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
