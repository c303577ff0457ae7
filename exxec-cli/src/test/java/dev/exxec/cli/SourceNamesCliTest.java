package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exxec run FILE} names FILE in tracebacks and says a SyntaxError once (issue 15). */
class SourceNamesCliTest {
    @TempDir
    Path dir;

    private String file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p.toString();
    }

    @Test
    void aPythonTracebackNamesTheFileAsTyped() throws IOException {
        String path = file("failing.py", "def main():\n    raise ValueError('no')\n");
        Cli.Outcome o = Cli.run("run", path);
        assertThat(o.exitCode()).as("%s", o).isNotZero();
        assertThat(o.err())
                .as("%s", o)
                .contains("File \"" + path + "\", line 2, in main")
                .doesNotContain("<code>");
    }

    @Test
    void standardInputIsNamedStdin() {
        Cli.Outcome o = Cli.runWithInput("raise ValueError('no')\n", "run", "-l", "python", "-");
        assertThat(o.err()).as("%s", o).contains("File \"<stdin>\", line 1");
    }

    @Test
    void aJavaScriptStackNamesTheFile() throws IOException {
        String path = file("fail.js", "function f() {\n  throw new Error('boom');\n}\nf();\n");
        Cli.Outcome o = Cli.run("run", path);
        assertThat(o.err()).as("%s", o).contains("at f (" + path + ":2:").doesNotContain("<code>");
    }

    @Test
    void aPythonSyntaxErrorIsPrintedOnceWithItsLineAndCaret() throws IOException {
        String path = file("syntax.py", "x = 1\nif x\n    pass\n");
        Cli.Outcome o = Cli.run("run", path);
        assertThat(o.exitCode()).as("%s", o).isNotZero();
        assertThat(o.err())
                .as("%s", o)
                .startsWith("  File \"" + path + "\", line 2\n    if x\n        ^\nSyntaxError: ")
                .containsOnlyOnce("SyntaxError");
    }

    @Test
    void aJavaScriptSyntaxErrorIsPrintedOnce() throws IOException {
        String path = file("syntax.js", "let x = 1;\nlet y = ;\n");
        Cli.Outcome o = Cli.run("run", path);
        assertThat(o.err()).as("%s", o).startsWith(path + ":2\nlet y = ;\n").containsOnlyOnce("SyntaxError");
    }
}
