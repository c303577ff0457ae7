package dev.exxec.cli;

import picocli.CommandLine.Option;

/** How {@code run} and {@code exec} print: plain or JSON, at the end or as it happens. */
final class OutputOptions {

    @Option(
            names = "--json",
            description = "Print one JSON object on stdout: success, result, resultType, stdout, stderr,"
                    + " exitCode, error, errorType, traceback, durationMs, stdoutTruncated, stderrTruncated."
                    + " With --stream: JSON lines, see below.")
    boolean json;

    @Option(
            names = "--stream",
            description = "Print output as it is produced, stdout to stdout and stderr to stderr,"
                    + " instead of when the call ends. Without --json this is the default when stdout is a"
                    + " terminal.")
    boolean stream;

    @Option(
            names = "--raw-output",
            description = "Write the program's control characters to a terminal as they are. By default, when"
                    + " stdout or stderr is a terminal, control characters other than newline and tab (and"
                    + " a carriage return before a newline) are shown escaped (\\x1b, \\u009b) so that the"
                    + " program cannot retitle, clear or take over your terminal or write your clipboard.")
    boolean rawOutput;
}
