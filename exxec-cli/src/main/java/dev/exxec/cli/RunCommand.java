package dev.exxec.cli;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
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
            "The code runs in a fresh workspace of the environment, not in the current directory"
                    + " (for local: --set cwd=$PWD)."
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
            "1:the code failed (an exception, a timeout, a non-zero exit)",
            "2:nothing ran: usage or configuration error (unknown provider or config key, bad value, file"
                    + " not found, empty code, unsupported language) or infrastructure fault (provider"
                    + " unavailable, environment did not start)"
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
    OutputOptions output = new OutputOptions();

    @Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() {
        StdIo io = ExxecCommand.io(parent);
        Target target = config.target();
        target.resolve();
        // Read before the environment starts: a missing file should not cost a sandbox start.
        Code code = CodeSource.read(file, io.in()).code(language);
        try (ExecutionEnvironment env = target.openForOneCall()) {
            ExecutionResult result = new Presenter(io, output, Presenter.Kind.CODE)
                    .present(() -> env.execute(code), () -> env.stream(code));
            return result.success() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
