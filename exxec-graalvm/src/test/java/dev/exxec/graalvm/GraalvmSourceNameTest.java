package dev.exxec.graalvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A named program's traceback names it on GraalPy and GraalJS too (issue 15). */
class GraalvmSourceNameTest {
    private static final String NAME = "dir/it's \"a\" name=$& é.src";

    @Test
    void tracebacksCarryTheName() {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of())) {
            ExecutionResult py = env.execute(
                    Code.python("def f():\n    raise ValueError('no')\n\nf()\n").named(NAME));
            assertThat(py.traceback())
                    .as("%s", py)
                    .contains("File \"" + NAME + "\", line 4, in <module>")
                    .contains("File \"" + NAME + "\", line 2, in f")
                    .doesNotContain("<code>");
            ExecutionResult syntax =
                    env.execute(Code.python("x = 1\nif x\n    pass\n").named(NAME));
            assertThat(syntax.traceback()).as("%s", syntax).contains("File \"" + NAME + "\", line ");

            ExecutionResult js = env.execute(Code.javascript("function f() {\n  throw new Error('boom');\n}\nf();\n")
                    .named(NAME));
            assertThat(js.traceback()).as("%s", js).contains(NAME + ":2").doesNotContain("<code>");

            ExecutionResult unnamed = env.execute(Code.python("raise ValueError('no')\n"));
            assertThat(unnamed.traceback()).as("%s", unnamed).contains("File \"<code>\", line 1");

            try (CodeSession s = env.session(Language.PYTHON)) {
                ExecutionResult r = s.execute(Code.python("x = 1\n1/0\n").named(NAME));
                assertThat(r.traceback()).as("%s", r).contains("File \"" + NAME + "\", line 2");
            }
        }
    }

    /**
     * Hostile review (issue 15): a name is a label, never opened. GraalPy's traceback read its lines
     * from a file of the name's (linecache), so a program named as a file in the workspace showed
     * that file's lines as its own, and a name could make exxec read a file.
     */
    @Test
    void aTracebackShowsTheProgramsLinesNotAFileOfItsName() {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of("fileAccess", "workspace"))) {
            env.files().writeString("decoy.py", "DECOY_LINE_ONE = 1\nDECOY_LINE_TWO = 2\n");
            ExecutionResult readable = env.execute(Code.python("print(open('decoy.py').read())\n"));
            assertThat(readable.stdout()).as("%s", readable).contains("DECOY_LINE_TWO");
            for (String name : new String[] {"decoy.py", "./decoy.py"}) {
                ExecutionResult r = env.execute(
                        Code.python("x = 1\nraise ValueError('no')\n").named(name));
                assertThat(r.traceback())
                        .as("%s", r)
                        .contains("File \"" + name + "\", line 2")
                        .contains("raise ValueError('no')")
                        .doesNotContain("DECOY");
            }
            try (CodeSession s = env.session(Language.PYTHON)) {
                ExecutionResult r =
                        s.execute(Code.python("x = 1\nraise ValueError('no')\n").named("decoy.py"));
                assertThat(r.traceback())
                        .as("%s", r)
                        .contains("raise ValueError('no')")
                        .doesNotContain("DECOY");
            }
        }
    }
}
