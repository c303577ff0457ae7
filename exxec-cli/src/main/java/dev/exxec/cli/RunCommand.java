package dev.exxec.cli;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.Stop;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code exxec run}: runs a program and prints its output and result. */
@Command(
        name = "run",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Runs a Python, JavaScript or TypeScript program and prints what it printed, then its result:"
                    + " the value main() returns (sync or async) or _result, as JSON for maps and lists,"
                    + " as plain text for strings and numbers.",
            "On failure the error type, message and traceback go to stderr.",
            "Where it runs: local runs the code in the current directory; sandbox sees the current directory"
                    + " read-only at the same path and runs there (--rw-cwd: writable); docker, ssh, graalvm"
                    + " and mcp run in their own workspace. --fresh: a fresh, empty workspace instead.",
            "On a terminal the output appears as the code writes it, its control characters shown escaped"
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
            "  exxec run examples/hello.py",
            "  echo 'print(6 * 7)' | exxec run -",
            "  exxec run --json --timeout 5 --set env.NAME=world script.js",
            "  exxec run --stream --config exxec.yaml examples/stream.py"
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the code ran to its end",
            "1:the code failed (an exception, a non-zero exit, a limit)",
            "124:the code reached its deadline (--timeout) and exxec stopped it",
            "125:exxec itself failed, nothing ran: usage or configuration error (unknown provider or config"
                    + " key, bad value, empty code) or infrastructure fault (provider unavailable, environment"
                    + " did not start)",
            "126:the program cannot run: the file cannot be read, or the environment has no interpreter for"
                    + " its language",
            "127:the program file was not found"
        })
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    @Nullable
    ExxecCommand parent;

    @Parameters(index = "0", paramLabel = "FILE", description = "The program file, or - to read it from stdin.")
    String file = "";

    @Option(
            names = {"-l", "--language"},
            paramLabel = "LANG",
            converter = LanguageConverter.class,
            description = "python, javascript or typescript (py, js, node, ts); default: from the file's"
                    + " extension, else the provider's default (python unless its 'language' is set).")
    @Nullable
    Language language;

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
        target.resolve();
        // Read before the environment starts: a missing file should not cost a sandbox start.
        Code code = CodeSource.read(file, io.in()).code(language);
        try (ExecutionEnvironment env = target.openForOneCall(io)) {
            ExecutionResult result = new Presenter(io, output, Presenter.Kind.CODE)
                    .present(() -> env.execute(code), () -> env.stream(code));
            return exitCode(result);
        }
    }

    /** 0 when the code ran to its end, 124 when exxec stopped it at its deadline, else 1. */
    static int exitCode(ExecutionResult result) {
        if (result.success()) {
            return ExitCodes.OK;
        }
        return result.stoppedBy() == Stop.DEADLINE ? ExitCodes.TIMED_OUT : ExitCodes.FAILED;
    }
}
