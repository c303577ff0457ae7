package dev.exxec.cli;

import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** The {@code exxec} command: holds the subcommands and the streams they print to. */
@Command(
        name = "exxec",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        // the subcommands are added by Main.commandLine, only those a command line needs
        description = {
            "Runs code (Python, JavaScript, TypeScript) and shell commands in an execution environment:"
                    + " a local process, a sandbox, a container, a remote host.",
            "Results go to stdout; errors to stderr as one line 'exxec: ...' (stack traces with --verbose)."
        },
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  exxec run examples/hello.py",
            "  exxec exec -- ls -la",
            "  exxec providers",
            "  exxec serve --provider sandbox",
            "",
            "'exxec COMMAND --help' describes a command, its options and exit codes.",
            "",
            "Exit codes, the same for every command: 0 success; 1 the code failed (run); a command's own code"
                    + " (exec); 124 the call reached its deadline; 125 exxec itself failed (usage, configuration,"
                    + " provider unavailable, environment did not start); 126 the program cannot run (unreadable,"
                    + " no interpreter for its language); 127 the program file was not found."
        })
final class ExxecCommand implements Callable<Integer> {

    private final StdIo io;

    @Spec
    CommandLine.Model.@Nullable CommandSpec spec;

    ExxecCommand(StdIo io) {
        this.io = io;
    }

    /** The streams of the invocation a subcommand belongs to. */
    static StdIo io(@Nullable ExxecCommand parent) {
        return Objects.requireNonNull(parent, "parent command").io;
    }

    /** Without a subcommand there is nothing to do: show what there is, as a usage error. */
    @Override
    public Integer call() {
        CommandLine cl = Objects.requireNonNull(spec, "spec").commandLine();
        StdIo streams = io(this);
        streams.err()
                .println("exxec: missing command: one of "
                        + String.join(", ", ErrorReporter.commands(cl.getCommandSpec())));
        cl.usage(streams.err());
        return ExitCodes.EXXEC_FAILED;
    }
}
