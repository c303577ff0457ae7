package dev.exxec.cli;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code exxec repl}: an interactive session in an environment of any provider. */
@Command(
        name = "repl",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Opens an interactive Python or JavaScript session in an environment: what you type runs in one"
                    + " interpreter whose variables persist; its output is printed, then the value of a final"
                    + " expression (or _result).",
            "A line ending in ':' (Python), an open bracket or a backslash continues on the next line; an"
                    + " empty line ends such a block. Ctrl-D (end of input) or :quit leaves.",
            "Where it runs: local in the current directory; sandbox with the current directory read-only at"
                    + " the same path (--rw-cwd: writable); docker, ssh, graalvm and mcp in their own workspace."
                    + " --fresh: a fresh, empty workspace instead.",
            "On a terminal, lines can be edited and recalled (history in ~/.exxec_history unless --no-history);"
                    + " piped input (printf 'x = 1\\nx + 1\\n' | exxec repl) shows no prompts, only what the code"
                    + " printed and the values."
        },
        footerHeading = "%nExamples:%n",
        footer = {"  exxec repl", "  exxec repl --provider docker -l javascript", "  exxec repl --provider sandbox"})
final class ReplCommand implements Callable<Integer> {

    @ParentCommand
    @Nullable
    ExxecCommand parent;

    @Option(
            names = {"-l", "--language"},
            paramLabel = "LANG",
            converter = LanguageConverter.class,
            description = "python or javascript (py, js, node); default: the provider's default language.")
    @Nullable
    Language language;

    @Option(
            names = "--history",
            paramLabel = "FILE",
            description = "Where a terminal session keeps the lines typed, readable by you only; default:"
                    + " ~/.exxec_history.")
    @Nullable
    Path history;

    @Option(
            names = "--no-history",
            description = "Keep the lines typed in memory only: nothing is written to any file.")
    boolean noHistory;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Mixin
    WorkspaceOptions workspace = new WorkspaceOptions();

    @Override
    public Integer call() throws IOException {
        StdIo io = ExxecCommand.io(parent);
        Target target = workspace.apply(config.target(), io);
        target.resolve();
        // Prompts, the banner, line editing and history are for a person at a terminal; piped input
        // gets none of them, so that the output is only what the code printed and its values.
        boolean terminal = Tty.stdin(io);
        try (ExecutionEnvironment env = target.open(io);
                LineInput lines = terminal ? new TerminalLines(io, historyFile()) : LineInput.plain(io)) {
            Language lang = language != null ? language : env.defaultLanguage();
            try (CodeSession session = env.session(lang)) {
                (terminal ? io.err() : LineInput.nowhere())
                        .println("exxec " + lang.name().toLowerCase(java.util.Locale.ROOT) + " session in "
                                + env.providerId() + " (" + env.id() + "); Ctrl-D or :quit to leave");
                while (true) {
                    String block = readBlock(lines, lang);
                    if (block == null || block.strip().equals(":quit")) {
                        return ExitCodes.OK;
                    }
                    if (block.isBlank()) {
                        continue;
                    }
                    // Named as Python names what it reads at its prompt: File "<stdin>", line 1.
                    print(session.evaluate(Code.of(lang, block).named(INPUT_NAME)), io);
                }
            }
        }
    }

    /** What tracebacks call a block that was typed. */
    static final String INPUT_NAME = "<stdin>";

    private @Nullable Path historyFile() {
        if (noHistory) {
            return null;
        }
        if (history != null) {
            return history;
        }
        String home = System.getProperty("user.home");
        return home == null || home.isEmpty() ? null : Path.of(home, ".exxec_history");
    }

    private static @Nullable String readBlock(LineInput in, Language lang) throws IOException {
        StringBuilder block = new StringBuilder();
        boolean continuing = false;
        while (true) {
            String line = in.readLine(continuing ? "... " : ">>> ");
            if (in.interrupted()) { // Ctrl-C: the block typed so far is dropped
                block.setLength(0);
                continuing = false;
                continue;
            }
            if (line == null) {
                return block.isEmpty() ? null : block.toString();
            }
            if (continuing && line.isBlank()) {
                return block.toString();
            }
            block.append(line).append('\n');
            boolean complete = !opens(line, lang) && balanced(block);
            // A Python block goes on to an empty line; JavaScript ends when its brackets close.
            if (complete && (lang != Language.PYTHON || !continuing)) {
                return block.toString();
            }
            continuing = true;
        }
    }

    private static boolean opens(String line, Language lang) {
        String t = line.stripTrailing();
        return t.endsWith("\\") || (lang == Language.PYTHON && t.endsWith(":"));
    }

    /** Whether brackets are closed (strings and comments are not looked into: a REPL's heuristic). */
    private static boolean balanced(CharSequence text) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
        }
        return depth <= 0;
    }

    /**
     * Prints what a block did: its output, then its value or its traceback. Everything the code wrote
     * or returned reaches the terminal through this one method.
     */
    /**
     * Prints a call's output, then its value or its error. On a terminal the code's control characters
     * are shown escaped (as {@code run} does), so that what the code prints cannot act on the terminal.
     */
    private static void print(ExecutionResult r, StdIo io) {
        PrintStream out = io.out();
        PrintStream err = io.err();
        java.util.function.UnaryOperator<String> toOut = io.tty().stdout() ? TerminalText::escapeAll : s -> s;
        java.util.function.UnaryOperator<String> toErr = io.tty().stderr() ? TerminalText::escapeAll : s -> s;
        out.print(toOut.apply(r.stdout()));
        if (!r.stdout().isEmpty() && !r.stdout().endsWith("\n")) {
            out.println();
        }
        err.print(toErr.apply(r.stderr()));
        if (!r.success()) {
            String trace = r.traceback();
            err.println(toErr.apply(
                    trace != null && !trace.isBlank() ? trace.stripTrailing() : r.errorType() + ": " + r.error()));
            if (r.stoppedBy() != null) { // exxec's own word, beside the program's traceback
                err.println("exxec: " + toErr.apply(r.error()));
            }
        } else if (r.result() != null) {
            out.println(
                    toOut.apply(r.result() instanceof String s ? JsonOutput.write(s) : JsonOutput.write(r.result())));
        }
        for (var o : r.outputs()) {
            // A terminal shows text; an image is announced by its type and size.
            out.println(o.binary() ? "[" + o.mimeType() + ", " + o.bytes().length + " bytes]" : toOut.apply(o.data()));
        }
        out.flush();
        err.flush();
    }
}
