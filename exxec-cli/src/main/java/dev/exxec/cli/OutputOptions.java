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
                    + " instead of when the call ends.")
    boolean stream;
}
