package dev.exxec.cli;

import picocli.CommandLine.Option;

/**
 * Where {@code run}, {@code exec} and {@code repl} run: by default the current directory on the
 * machine's own providers ({@code local} runs there, {@code sandbox} sees it read-only at the same
 * path), or a fresh workspace. The Java API's default stays the environment's own workspace: this
 * is the command line's choice only.
 */
final class WorkspaceOptions {

    @Option(
            names = "--fresh",
            description = "Run in a fresh, empty workspace of the environment instead of the current directory"
                    + " (local: the current directory by default; sandbox: the current directory, read-only at"
                    + " the same path; docker, ssh, graalvm, mcp: always their own workspace).")
    boolean fresh;

    @Option(
            names = "--rw-cwd",
            description = "sandbox: let the code write the current directory too (it is read-only by default).")
    boolean writable;

    /**
     * The target as the command line runs it, in the invocation's current directory unless
     * {@code --fresh} or the user set {@code cwd}.
     */
    Target apply(Target target, StdIo io) {
        if (fresh && writable) {
            throw new UsageException("--fresh and --rw-cwd contradict each other: a fresh workspace does not"
                    + " share the current directory");
        }
        if (fresh) {
            return target;
        }
        return target.inWorkingDirectory(io.workingDirectory(), writable, io.err());
    }
}
