package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.RichOutput;
import dev.exxec.testkit.Requirements;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Local sessions: a kept state at a deadline, typed outputs, matplotlib figures as PNG images. */
class LocalSessionTest {
    private static final String PYTHON = "/usr/bin/python3";

    private static boolean hasMatplotlib() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import matplotlib").start();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void displayedValuesComeBackAsTypedOutputs() {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of());
                CodeSession s = env.session(Language.PYTHON)) {
            ExecutionResult r = s.execute("""
                    class Table:
                        def _repr_html_(self):
                            return "<table><tr><td>1</td></tr></table>"
                    class Picture:
                        def _repr_png_(self):
                            return b"\\x89PNG-not-really"
                    display(Table(), Picture(), [1, 2])
                    _result = 'shown'
                    """);
            assertThat(r.result()).isEqualTo("shown");
            assertThat(r.outputs()).hasSize(3);
            assertThat(r.outputs().get(0).mimeType()).isEqualTo("text/html");
            assertThat(r.outputs().get(0).data()).isEqualTo("<table><tr><td>1</td></tr></table>");
            assertThat(r.outputs().get(1).mimeType()).isEqualTo("image/png");
            assertThat(new String(r.outputs().get(1).bytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .isEqualTo("\u0089PNG-not-really");
            assertThat(r.outputs().get(2).mimeType()).isEqualTo("text/plain");
            assertThat(s.execute("_result = 1").outputs()).as("each call's own").isEmpty();
        }
    }

    @Test
    void aDeadlineInterruptsAndKeepsTheState() {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of());
                CodeSession s = env.session(Language.PYTHON)) {
            s.execute("x = 'kept'");
            ExecutionResult r = s.execute(
                    dev.exxec.Code.python("while True:\n    pass\n").withTimeout(java.time.Duration.ofSeconds(1)));
            assertThat(r.error()).as("%s", r).contains("state is kept");
            assertThat(s.execute("_result = x").result()).isEqualTo("kept");
        }
    }

    @Test
    void matplotlibFiguresComeBackAsPngImages() {
        Requirements.require(hasMatplotlib(), "Debian's python3-matplotlib is not installed");
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of("python", PYTHON));
                CodeSession s = env.session(Language.PYTHON)) {
            ExecutionResult shown = s.execute("""
                    import matplotlib.pyplot as plt
                    plt.plot([1, 2, 3], [1, 4, 9])
                    plt.show()
                    print("after show")
                    """);
            assertThat(shown.success()).as("%s", shown).isTrue();
            assertThat(shown.stdout()).isEqualTo("after show\n");
            assertThat(shown.stderr())
                    .as("no warning about a non-interactive backend")
                    .isEmpty();
            assertThat(shown.outputs()).hasSize(1);
            RichOutput png = shown.outputs().get(0);
            assertThat(png.mimeType()).isEqualTo("image/png");
            assertThat(png.binary()).isTrue();
            byte[] bytes = png.bytes();
            assertThat(bytes).hasSizeGreaterThan(1000);
            assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("PNG");

            ExecutionResult left = s.execute("fig, ax = plt.subplots()\nax.bar([1, 2], [3, 4])");
            assertThat(left.outputs())
                    .as("a figure left open is shown at the call's end")
                    .hasSize(1);
            assertThat(s.execute("_result = len(plt.get_fignums())").result()).isEqualTo(0);
        }
    }
}
