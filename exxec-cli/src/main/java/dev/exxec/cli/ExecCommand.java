package dev.exxec.cli;

import dev.exxec.Command;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Stop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code exxec exec}: runs a shell command and exits with its exit code. */
@picocli.CommandLine.Command(
        name = "exec",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Runs a shell command with POSIX sh -c semantics in the environment and exits with its exit code.",
            "One word is a whole command line: exxec exec 'ls | wc -l'.",
            "Several words are the command and its arguments, each quoted for the shell where needed,"
                    + " so they arrive as given: exxec exec -- sh -c 'exit 3'.",
            "Options go before the command; everything from the first word (or after --) belongs to it.",
            "Where it runs: local runs the command in the current directory; sandbox sees the current"
                    + " directory read-only at the same path and runs there (--rw-cwd: writable); docker, ssh,"
                    + " graalvm and mcp run in their own workspace. --fresh: a fresh, empty workspace instead.",
            "On a terminal the output appears as the command writes it, its control characters shown escaped"
                    + " (--raw-output keeps them); a wait over a second shows a note on stderr."
        },
        footerHeading = "%nStreaming JSON:%n",
        footer = {
            "With --stream --json, stdout carries JSON lines, one per event as it happens:",
            "  {\"event\":\"started\",\"id\":...,\"command\":...,\"pid\":...}",
            "  {\"event\":\"output\",\"stream\":\"stdout\"|\"stderr\",\"text\":...}",
            "and last {\"event\":\"result\", ...the fields of --json...}.",
            "",
            "Examples:",
            "  exxec exec -- ls -la",
            "  exxec exec --timeout 5 'ls | wc -l'",
            "  exxec exec --set env.NAME=world -- sh -c 'echo hello $NAME'",
            "  exxec exec --json --provider local -- uname -a"
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the command exited 0",
            "N:the command exited N (128+n when signal n ended it; 127 when the shell did not find it)",
            "124:the command reached its deadline (--timeout) and exxec stopped it",
            "125:exxec itself failed, nothing ran: usage or configuration error, provider unavailable,"
                    + " environment did not start (exxec: ... on stderr)",
            "126:the command cannot run in this environment (it runs no shell commands)"
        })
final class ExecCommand implements Callable<Integer> {

    @ParentCommand
    @Nullable
    ExxecCommand parent;

    @Parameters(
            arity = "1..*",
            paramLabel = "COMMAND",
            description = "The command line, or the command and its arguments.")
    List<String> words = new ArrayList<>();

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Mixin
    WorkspaceOptions workspace = new WorkspaceOptions();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() {
        StdIo io = ExxecCommand.io(parent);
        Target target = workspace.apply(config.target(), io);
        String line = ShellWords.commandLine(words);
        if (line.isBlank()) {
            throw new UsageException("the command is empty: there is nothing to run");
        }
        Command command = Command.of(line);
        try (ExecutionEnvironment env = target.open(io)) {
            ExecutionResult result = new Presenter(io, output, Presenter.Kind.COMMAND)
                    .present(() -> env.executeCommand(command), () -> env.streamCommand(command));
            return exitCode(result);
        }
    }

    /**
     * The command's exit code, as far as a process exit status can carry it; {@link ExitCodes#TIMED_OUT}
     * only when exxec stopped it at its deadline, never for an error that merely carries the name.
     */
    static int exitCode(ExecutionResult result) {
        if (result.success()) {
            return ExitCodes.OK;
        }
        if (result.stoppedBy() == Stop.DEADLINE) {
            return ExitCodes.TIMED_OUT;
        }
        int code = result.exitCode();
        // A status is one byte: 256 would read as success, so anything out of range becomes a plain failure.
        return code > 0 && code < 256 ? code : ExitCodes.FAILED;
    }
}
