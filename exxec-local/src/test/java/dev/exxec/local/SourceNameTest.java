package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A named program's traceback names it (issue 15): one-shot calls and sessions, Python and
 * JavaScript, with a name that tries to break out of the driver's header and of the replacement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourceNameTest {
    /** Quotes, a dollar pattern JavaScript's replace would expand, a tab-free '=' and non-ASCII. */
    private static final String NAME = "dir/it's \"a\" name=$&$1 é.src";

    private ExecutionEnvironment env;

    @BeforeAll
    void open() {
        env = Exxec.environment("local", Map.of());
    }

    @AfterAll
    void close() {
        env.close();
    }

    @Test
    void pythonFramesAndSyntaxErrorsCarryTheName() {
        ExecutionResult r = env.execute(
                Code.python("def f():\n    raise ValueError('no')\n\nf()\n").named("examples/failing.py"));
        assertThat(r.traceback())
                .as("%s", r)
                .contains("File \"examples/failing.py\", line 4, in <module>")
                .contains("File \"examples/failing.py\", line 2, in f")
                .doesNotContain("<code>");
        ExecutionResult s = env.execute(Code.python("x = 1\nif x\n    pass\n").named(NAME));
        assertThat(s.errorType()).isEqualTo("SyntaxError");
        assertThat(s.traceback())
                .as("%s", s)
                .contains("File \"" + NAME + "\", line 2")
                .contains("    if x\n");
        ExecutionResult unnamed = env.execute(Code.python("raise ValueError('no')\n"));
        assertThat(unnamed.traceback()).contains("File \"<code>\", line 1");
    }

    @Test
    void javascriptFramesCarryTheNameVerbatim() {
        ExecutionResult r = env.execute(Code.javascript("function f() {\n  throw new Error('boom');\n}\nf();\n")
                .named(NAME));
        assertThat(r.traceback())
                .as("%s", r)
                .contains("at f (" + NAME + ":2:")
                .contains(NAME + ":4:")
                .doesNotContain("<code>");
        ExecutionResult s =
                env.execute(Code.javascript("let x = 1;\nlet y = ;\n").named("a.js"));
        assertThat(s.errorType()).isEqualTo("SyntaxError");
        assertThat(s.traceback()).as("%s", s).startsWith("a.js:2\n");
    }

    @Test
    void sessionsNameTheirCalls() {
        try (CodeSession py = env.session(Language.PYTHON);
                CodeSession js = env.session(Language.JAVASCRIPT)) {
            ExecutionResult p = py.execute(Code.python("x = 1\n1/0\n").named(NAME));
            assertThat(p.traceback()).as("%s", p).contains("File \"" + NAME + "\", line 2");
            ExecutionResult j = js.execute(Code.javascript("null.y\n").named(NAME));
            assertThat(j.traceback()).as("%s", j).contains(NAME + ":1").doesNotContain("<code>");
        }
    }

    @Test
    void aNameIsOneLineOfPrintableText() {
        Code code = Code.python("_result = 1");
        for (String bad : new String[] {"a\nb", "a\tb", "a\rb", "\u001b]0;title\u0007", "a\u2028b", " ", ""}) {
            assertThatThrownBy(() -> code.named(bad))
                    .as("%s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name");
        }
        assertThatThrownBy(() -> code.named("x".repeat(Code.MAX_NAME_LENGTH + 1)))
                .hasMessageContaining("4097 characters");
        assertThat(code.named("ok.py")
                        .withTimeout(java.time.Duration.ofSeconds(3))
                        .name())
                .isEqualTo("ok.py");
        assertThat(code.name()).isNull();
        assertThat(code.displayName()).isEqualTo("<code>");
    }
}
