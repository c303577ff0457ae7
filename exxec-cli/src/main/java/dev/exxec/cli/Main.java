package dev.exxec.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/**
 * The {@code exxec} command line.
 *
 * {@snippet lang = sh :
 * exxec run examples/hello.py          # prints what main() returned
 * exxec exec -- sh -c 'exit 3'         # exits 3
 * exxec providers                      # what works on this machine
 * }
 *
 * <p>Exit codes, in the range {@code timeout(1)} and {@code env(1)} use for their own: 0 success; 1
 * the code failed ({@code run}; {@code exec} passes on the command's own exit code); 124 the call
 * reached its deadline and exxec stopped it; 125 exxec itself failed and nothing ran (usage,
 * configuration, provider unavailable, environment did not start); 126 the program cannot run
 * (unreadable, or no interpreter for its language); 127 the program file was not found.
 */
public final class Main {

    private Main() {}

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        Shutdown.watch();
        // UTF-8 whatever the locale says: the code's output was UTF-8 and must arrive unchanged.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code;
        try {
            code = run(
                    args,
                    new StdIo(System.in, out, err, Tty.detect(), Path.of("").toAbsolutePath()));
        } catch (UsageException e) { // a bad -Dexxec.tty, before the command line is parsed
            err.println("exxec: " + e.getMessage());
            code = e.exitCode();
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs the command line with the given streams and returns the exit code, without exiting: the
     * form tests use.
     *
     * @param args the arguments after {@code exxec}
     * @param in standard input (for {@code exxec run -})
     * @param out where results go
     * @param err where errors and notes go
     * @return the exit code
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, new StdIo(in, out, err));
    }

    /** Runs the command line with the given streams, terminals and working directory. */
    static int run(String[] args, StdIo io) {
        return commandLine(io, args.length > 0 ? args[0] : null).execute(args);
    }

    /** The subcommands' names, in the order the usage lists them. */
    static final List<String> COMMANDS = List.of("run", "exec", "repl", "providers", "serve");

    private static Object command(String name) {
        return switch (name) {
            case "run" -> new RunCommand();
            case "exec" -> new ExecCommand();
            case "repl" -> new ReplCommand();
            case "providers" -> new ProvidersCommand();
            case "serve" -> new ServeCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static CommandLine commandLine(StdIo io) {
        return commandLine(io, null);
    }

    /**
     * The command line for arguments that start with {@code first}. When that names a subcommand, only
     * that one is added: picocli reads every added command's annotations and fields (reflection over
     * its own pre-Java 6 classes, which the AOT cache cannot hold), a start-up cost of every run. Any
     * other start (none, an option, a typo) gets them all, for the usage and its suggestions.
     */
    static CommandLine commandLine(StdIo io, @Nullable String first) {
        // picocli looks for Groovy (closures in annotations) and Jansi (colours) with Class.forName: a
        // class that is not there is searched for in every jar on the class path, the GraalVM provider's
        // too, which costs each start tens of milliseconds. exxec uses neither.
        for (String off : new String[] {"picocli.disable.closures", "org.fusesource.jansi.Ansi.disable"}) {
            if (System.getProperty(off) == null) {
                System.setProperty(off, "true");
            }
        }
        ErrorReporter errors = new ErrorReporter(io.err(), io.tty().stderr());
        CommandLine cl = new CommandLine(new ExxecCommand(io));
        for (String name : first != null && COMMANDS.contains(first) ? List.of(first) : COMMANDS) {
            cl.addSubcommand(command(name));
        }
        // (after the subcommands: picocli applies these to the subcommands there are when called)
        cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
        // 'exxec exec ls -la': everything from the command's first word on is the command's, options too.
        CommandLine exec = cl.getSubcommands().get("exec");
        if (exec != null) {
            exec.setStopAtPositional(true);
        }
        return cl;
    }
}
