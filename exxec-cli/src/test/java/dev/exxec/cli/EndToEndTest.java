package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Language;
import dev.exxec.cli.Cli.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI through the real {@code local} provider: real interpreters, real processes. */
class EndToEndTest {
    @TempDir
    Path dir;

    @Test
    void helloPrintsTheValueOfMain() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.run("run", Machine.example("hello.py").toString());

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).startsWith("{\"greeting\":\"Hello from exxec!\"").endsWith("}\n");
        assertThat(o.out().lines()).hasSize(1);
        assertThat(o.err()).isEmpty();
    }

    @Test
    void helloRunsInADockerContainer() {
        Machine.requireDocker();

        Outcome o = Cli.run(
                "run", "--provider", "docker", Machine.example("hello.py").toString());

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).startsWith("{\"greeting\":\"Hello from exxec!\",\"language\":\"Python 3.");
        assertThat(o.out().lines()).hasSize(1);
        assertThat(o.err()).isEmpty();
    }

    @Test
    void jsonIsOneObjectWithEveryField() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.run("run", "--json", Machine.example("hello.py").toString());

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out().lines()).hasSize(1);
        Map<String, Object> json = Cli.object(o.out());
        assertThat(json.keySet())
                .containsExactly(
                        "success",
                        "result",
                        "resultType",
                        "stdout",
                        "stderr",
                        "exitCode",
                        "error",
                        "errorType",
                        "stoppedBy",
                        "traceback",
                        "durationMs",
                        "stdoutTruncated",
                        "stderrTruncated");
        assertThat(json).containsEntry("success", true).containsEntry("exitCode", 0);
        assertThat(json.get("result"))
                .asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("greeting", "Hello from exxec!");
    }

    @Test
    void failingCodeExitsOneWithTheTracebackOnStderr() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.run("run", Machine.example("failing.py").toString());

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertThat(o.out()).isEmpty();
        assertThat(o.err())
                .startsWith("Traceback (most recent call last):")
                .contains("parse_age")
                .endsWith("ValueError: age must not be negative, got -3\n");
        // said once, not once by the traceback and once more by exxec
        assertThat(o.err().split("ValueError: ", -1)).hasSize(2);
    }

    @Test
    void failingCodeAsJson() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.run("run", "--json", Machine.example("failing.py").toString());

        assertThat(o.exitCode()).isEqualTo(1);
        Map<String, Object> json = Cli.object(o.out());
        assertThat(json)
                .containsEntry("success", false)
                .containsEntry("errorType", "ValueError")
                .containsEntry("error", "age must not be negative, got -3");
        assertThat((String) json.get("traceback")).contains("parse_age");
    }

    @Test
    void printedOutputComesFirstAndTheValueOnItsOwnLine() throws IOException {
        Machine.requireLanguage(Language.PYTHON);
        Path code = Files.writeString(dir.resolve("p.py"), """
                import sys
                print("ünïcödé ✓", end="")
                print("warning", file=sys.stderr)
                _result = "done"
                """);

        Outcome o = Cli.run("run", code.toString());

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).isEqualTo("ünïcödé ✓\ndone\n");
        assertThat(o.err()).isEqualTo("warning\n");
    }

    @Test
    void stdinWithAnExplicitLanguage() {
        Machine.requireLanguage(Language.JAVASCRIPT);

        Outcome o = Cli.runWithInput("const _result = [1, 2, 3].map((x) => x * 2);", "run", "--language", "js", "-");

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).isEqualTo("[2,4,6]\n");
    }

    @Test
    void javascriptAndTypescriptExamples() {
        Machine.requireLanguage(Language.JAVASCRIPT);
        assertThat(Cli.run("run", Machine.example("hello.js").toString()).out())
                .startsWith("{\"greeting\":\"Hello from exxec!\",\"language\":\"Node.js ");

        Machine.requireLanguage(Language.TYPESCRIPT);
        assertThat(Cli.run("run", Machine.example("hello.ts").toString()).out())
                .isEqualTo("{\"greeting\":\"Hello from exxec!\",\"language\":\"TypeScript\"}\n");
    }

    @Test
    void helloJsSaysTheRuntimeItRanOnUnderGraalvm() {
        Outcome o = Cli.run("run", "-p", "graalvm", Machine.example("hello.js").toString());
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out())
                .as(o.toString())
                .startsWith("{\"greeting\":\"Hello from exxec!\",\"language\":\"GraalJS ")
                .doesNotContain("undefined")
                .doesNotContain("Node.js");
    }

    @Test
    void streamPrintsEachLineThenTheResult() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.run("run", "--stream", Machine.example("stream.py").toString());

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).isEqualTo("tick 1/5\ntick 2/5\ntick 3/5\ntick 4/5\ntick 5/5\ndone\n");
    }

    @Test
    void streamJsonIsOneLinePerEventThenTheResult() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.run(
                "run", "--stream", "--json", Machine.example("stream.py").toString());

        List<Map<String, Object>> lines = o.out().lines().map(Cli::object).toList();
        assertThat(lines)
                .extracting(m -> m.get("event"))
                .containsExactly("started", "output", "output", "output", "output", "output", "result");
        assertThat(lines.get(1)).containsEntry("stream", "stdout").containsEntry("text", "tick 1/5\n");
        assertThat(lines.get(6)).containsEntry("success", true).containsEntry("result", "done");
    }

    @Test
    void runTimeoutExits124AsExecDoes() {
        Machine.requireLanguage(Language.PYTHON);

        long start = System.nanoTime();
        Outcome o = Cli.runWithInput("while True: pass", "run", "--timeout", "1", "-");

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(124);
        assertThat(o.err()).as("exxec says it stopped the call").startsWith("exxec: TimeoutError");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void aProgramsOwnTimeoutErrorIsNotExxecsWord() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.runWithInput("raise TimeoutError('the execution exceeded its timeout')", "run", "--json", "-");

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        Map<String, Object> json = Cli.object(o.out());
        assertThat(json).containsEntry("errorType", "TimeoutError").containsEntry("stoppedBy", null);
    }

    @Test
    void configFileAndSetReachTheCode() throws IOException {
        Machine.requireLanguage(Language.PYTHON);
        Path config = Files.writeString(dir.resolve("exxec.yaml"), """
                provider: local
                timeout: 10
                env:
                  GREETING: from-file
                  NAME: world
                """);
        Path code = Files.writeString(dir.resolve("env.py"), """
                import os
                def main():
                    return os.environ["GREETING"] + ", " + os.environ["NAME"]
                """);

        assertThat(Cli.run("run", "-c", config.toString(), code.toString()).out())
                .isEqualTo("from-file, world\n");
        assertThat(Cli.run("run", "-c", config.toString(), "--set", "env.GREETING=hello", code.toString())
                        .out())
                .isEqualTo("hello, world\n");
    }

    @Test
    void execPassesTheExitCodeOn() {
        Outcome o = Cli.run("exec", "--", "sh", "-c", "exit 3");

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(3);
        assertThat(o.out()).isEmpty();
        assertThat(o.err()).isEmpty();
    }

    @Test
    void execOneWordIsAShellLine() {
        Outcome o = Cli.run("exec", "echo 'a b' | tr a-z A-Z && exit 3");

        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.out()).isEqualTo("A B\n");
    }

    @Test
    void execWordsArriveAsGiven() {
        Outcome o = Cli.run("exec", "printf", "[%s]\\n", "a b", "$HOME", "it's");

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).isEqualTo("[a b]\n[$HOME]\n[it's]\n");
    }

    @Test
    void execTimeoutExits124() {
        long start = System.nanoTime();
        Outcome o = Cli.run("exec", "--timeout", "1", "--", "sleep", "30");

        assertThat(o.exitCode()).as(o.toString()).isEqualTo(124);
        assertThat(o.err()).startsWith("exxec: TimeoutError");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void execJsonCarriesTheExitCode() {
        Outcome o = Cli.run("exec", "--json", "--", "sh", "-c", "echo out; echo err >&2; exit 5");

        assertThat(o.exitCode()).isEqualTo(5);
        Map<String, Object> json = Cli.object(o.out());
        assertThat(json)
                .containsEntry("success", false)
                .containsEntry("exitCode", 5)
                .containsEntry("stdout", "out\n")
                .containsEntry("stderr", "err\n");
    }

    @Test
    void execStreamsBothStreams() {
        Outcome o = Cli.run("exec", "--stream", "--", "sh", "-c", "echo one; echo two >&2; echo three");

        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo("one\nthree\n");
        assertThat(o.err()).isEqualTo("two\n");
    }

    @Test
    void execRunsInTheCurrentDirectoryOnLocal() throws IOException {
        Files.writeString(dir.resolve("mine.txt"), "x");

        Outcome o = Cli.runAs(Tty.NONE, dir, "exec", "--", "sh", "-c", "pwd; ls");

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).isEqualTo(dir.toAbsolutePath() + "\nmine.txt\n");
    }

    @Test
    void runRunsInTheCurrentDirectoryOnLocal() throws IOException {
        Machine.requireLanguage(Language.PYTHON);
        Files.writeString(dir.resolve("data.txt"), "from the current directory");
        Path code = Files.writeString(dir.resolve("read.py"), "_result = open('data.txt').read()\n");

        Outcome o = Cli.runAs(Tty.NONE, dir, "run", code.toString());

        assertThat(o.out()).as(o.toString()).isEqualTo("from the current directory\n");
    }

    @Test
    void freshAsksForAnEmptyWorkspaceAndASetCwdWins() throws IOException {
        Files.writeString(dir.resolve("mine.txt"), "x");

        Outcome fresh = Cli.runAs(Tty.NONE, dir, "exec", "--fresh", "--", "sh", "-c", "pwd; ls -A | wc -l");
        assertThat(fresh.exitCode()).as(fresh.toString()).isZero();
        assertThat(fresh.out().lines().toList().get(0))
                .isNotEqualTo(dir.toAbsolutePath().toString());
        assertThat(fresh.out().lines().toList().get(1).strip()).isEqualTo("0");

        Outcome set = Cli.runAs(Tty.NONE, dir, "exec", "--set", "cwd=/", "--", "pwd");
        assertThat(set.out()).as(set.toString()).isEqualTo("/\n");
    }

    @Test
    void aMissingProgramFileExits127AndAnUnreadableOne126() throws IOException {
        assertThat(Cli.run("run", dir.resolve("missing.py").toString()).exitCode())
                .isEqualTo(127);
        assertThat(Cli.run("run", dir.toString()).exitCode()).isEqualTo(126);
        // a command the shell does not find is the shell's own 127
        assertThat(Cli.run("exec", "--", "no-such-command-exxec").exitCode()).isEqualTo(127);
    }

    /** Buffered output (stdout not a terminal) with stderr on a terminal: a note while the call is quiet. */
    @Test
    void aLongQuietCallShowsAProgressNoteOnATerminalsStderrAndErasesIt() {
        Outcome o = Cli.runAs(new Tty(false, true), dir, "exec", "--", "sh", "-c", "sleep 3; echo done");

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).isEqualTo("done\n");
        assertThat(o.err()).startsWith("exxec: running").endsWith("\u2026\r\u001b[K");

        Outcome piped = Cli.runAs(Tty.NONE, dir, "exec", "--", "sh", "-c", "sleep 2; echo done");
        assertThat(piped.err()).as("no terminal, no note").isEmpty();
    }

    /** stdout a terminal: plain text is streamed, so both streams' pieces arrive in the order written. */
    @Test
    void aTerminalGetsStreamedEscapedOutputAndAPipeTheRawBytes() {
        Outcome tty = Cli.runAs(Tty.BOTH, dir, "exec", "--", "printf", "a\\033[2Jb\\r\\nc\\rd\\302\\233e\\n");
        assertThat(tty.exitCode()).as(tty.toString()).isZero();
        assertThat(tty.out()).isEqualTo("a\\x1b[2Jb\r\nc\\rd\\u009be\n");

        Outcome raw = Cli.runAs(new Tty(true, true), dir, "exec", "--raw-output", "--", "printf", "a\\033[2Jb");
        assertThat(raw.out()).isEqualTo("a\u001b[2Jb");

        Outcome pipe = Cli.runAs(Tty.NONE, dir, "exec", "--", "printf", "a\\033[2Jb");
        assertThat(pipe.out()).isEqualTo("a\u001b[2Jb");
    }

    @Test
    void jsonEscapesTheC1ControlsToo() {
        Machine.requireLanguage(Language.PYTHON);

        Outcome o = Cli.runWithInput("print('\\x9b2J\\x7f')", "run", "--json", "-");

        assertThat(o.out()).contains("\"stdout\":\"\\u009b2J\\u007f\\n\"").doesNotContain("\u009b");
        assertThat(Cli.object(o.out())).containsEntry("stdout", "\u009b2J\u007f\n");
    }
}
