package dev.exxec.cli;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
                    + " --fresh: a fresh, empty workspace instead."
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

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Mixin
    WorkspaceOptions workspace = new WorkspaceOptions();

    @Override
    public Integer call() throws IOException {
        StdIo io = ExxecCommand.io(parent);
        Target target = workspace.apply(config.target(), io);
        target.resolve();
        PrintStream out = io.out();
        BufferedReader in = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        try (ExecutionEnvironment env = target.open(io)) {
            Language lang = language != null ? language : env.defaultLanguage();
            try (CodeSession session = env.session(lang)) {
                if (lang == Language.PYTHON) {
                    require(session.execute(PYTHON_HELPER));
                }
                io.err()
                        .println("exxec " + lang.name().toLowerCase(java.util.Locale.ROOT) + " session in "
                                + env.providerId() + " (" + env.id() + "); Ctrl-D or :quit to leave");
                while (true) {
                    String block = readBlock(in, out, lang);
                    if (block == null || block.strip().equals(":quit")) {
                        return ExitCodes.OK;
                    }
                    if (block.isBlank()) {
                        continue;
                    }
                    ExecutionResult r = session.execute(wrap(block, lang));
                    print(r, out, io.err());
                }
            }
        }
    }

    /** Defines the helper that runs a block and makes a final expression's value the result. */
    private static final String PYTHON_HELPER = """
            def __exxec_repl(source):
                import ast
                tree = ast.parse(source, "<repl>")
                last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                if last is not None:
                    tree.body.pop()
                exec(compile(tree, "<repl>", "exec"), globals())
                if last is not None:
                    return eval(compile(ast.Expression(last.value), "<repl>", "eval"), globals())
            """;

    private static void require(ExecutionResult r) {
        if (!r.success()) {
            throw new IllegalStateException("the session did not start: " + r.error());
        }
    }

    private static String wrap(String block, Language lang) {
        String literal = JsonOutput.write(block);
        return switch (lang) {
            case PYTHON -> "_result = __exxec_repl(" + literal + ")";
            // Indirect eval runs in the global scope and gives the completion value of the block.
            case JAVASCRIPT, TYPESCRIPT -> "_result = (0, eval)(" + literal + ")";
        };
    }

    private static @Nullable String readBlock(BufferedReader in, PrintStream out, Language lang) throws IOException {
        StringBuilder block = new StringBuilder();
        boolean continuing = false;
        while (true) {
            out.print(continuing ? "... " : ">>> ");
            out.flush();
            String line = in.readLine();
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

    private static void print(ExecutionResult r, PrintStream out, PrintStream err) {
        out.print(r.stdout());
        if (!r.stdout().isEmpty() && !r.stdout().endsWith("\n")) {
            out.println();
        }
        err.print(r.stderr());
        if (!r.success()) {
            String trace = r.traceback();
            err.println(trace != null && !trace.isBlank() ? trace.stripTrailing() : r.errorType() + ": " + r.error());
            if (r.stoppedBy() != null) { // exxec's own word, beside the program's traceback
                err.println("exxec: " + r.error());
            }
        } else if (r.result() != null) {
            out.println(r.result() instanceof String s ? JsonOutput.write(s) : JsonOutput.write(r.result()));
        }
        for (var o : r.outputs()) {
            // A terminal shows text; an image is announced by its type and size.
            out.println(o.binary() ? "[" + o.mimeType() + ", " + o.bytes().length + " bytes]" : o.data());
        }
        out.flush();
        err.flush();
    }
}
