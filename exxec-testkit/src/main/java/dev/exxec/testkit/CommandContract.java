package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.failedWith;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Command;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shell commands: POSIX {@code sh -c} semantics (pipes, quotes, redirects, {@code &&}/{@code ||}),
 * exact output with its line breaks, separate standard error, the exit code in the result, working
 * directory and per-call variables.
 */
abstract class CommandContract extends KitArea {

    CommandContract(EnvironmentFactory factory) {
        super(factory);
    }

    @BeforeAll
    final void requireCommands() {
        assumeCommands();
    }

    private ExecutionResult sh(String command) {
        return env().executeCommand(command);
    }

    @Test
    void pipeAndExitCode() {
        ExecutionResult r = failedWith(sh("echo 'a b' | tr a-z A-Z && exit 3"), ErrorTypes.PROCESS_EXIT);
        assertThat(r.stdout()).as(describe(r)).isEqualTo("A B\n");
        assertThat(r.exitCode()).as(describe(r)).isEqualTo(3);
        assertThat(r.result()).as(describe(r)).isNull();
    }

    @Test
    void successMeansExitCodeZero() {
        ExecutionResult r = succeeded(sh("true"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEmpty();
        assertThat(r.duration()).isPositive();
        ExecutionResult f = failedWith(sh("false"), ErrorTypes.PROCESS_EXIT);
        assertThat(f.exitCode()).isEqualTo(1);
    }

    @Test
    void outputIsExactWithLineBreaks() {
        ExecutionResult r = succeeded(sh("printf 'one\\n\\ntwo\\r\\nno-newline'"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("one\n\ntwo\r\nno-newline");
    }

    @Test
    void quotesAreShellQuotes() {
        ExecutionResult r = succeeded(sh("printf '%s|' \"a  b\" 'c \"d\"' e\\ f '$HOME'"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("a  b|c \"d\"|e f|$HOME|");
    }

    @Test
    void stderrIsSeparate() {
        ExecutionResult r = succeeded(sh("echo out; echo err >&2"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("out\n");
        assertThat(r.stderr()).as(describe(r)).isEqualTo("err\n");
    }

    @Test
    void redirectsWork() {
        ExecutionResult merged = succeeded(sh("{ echo out; echo err >&2; } 2>&1"));
        assertThat(merged.stdout()).as(describe(merged)).isEqualTo("out\nerr\n");
        assertThat(merged.stderr()).as(describe(merged)).isEmpty();

        ExecutionResult file =
                succeeded(sh("echo kit-redirect > cmd-redirect.txt && cat cmd-redirect.txt && rm cmd-redirect.txt"));
        assertThat(file.stdout()).as(describe(file)).isEqualTo("kit-redirect\n");
    }

    @Test
    void andAndOrLists() {
        ExecutionResult r = succeeded(sh("false && echo no; false || echo yes; true && echo also"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("yes\nalso\n");
    }

    @Test
    void signalEndsWith128PlusSignal() {
        ExecutionResult r = failedWith(sh("kill -9 $$"), ErrorTypes.PROCESS_EXIT);
        assertThat(r.exitCode()).as(describe(r)).isEqualTo(128 + 9);
    }

    @Test
    void cwdIsHonoured() {
        succeeded(sh("mkdir -p cmd-cwd/inner"));
        ExecutionResult r = succeeded(env().executeCommand(Command.of("pwd").withCwd("cmd-cwd/inner")));
        assertThat(r.stdout()).as(describe(r)).endsWith("/cmd-cwd/inner\n");
        ExecutionResult back = succeeded(sh("pwd"));
        assertThat(back.stdout())
                .as("the default directory is unchanged: %s", describe(back))
                .doesNotContain("cmd-cwd");
    }

    @Test
    void perCallEnvIsVisibleToThatCallOnly() {
        ExecutionResult r = succeeded(env().executeCommand(
                        Command.of("echo \"$KIT_CALL_VAR\"").withEnv("KIT_CALL_VAR", "per call 'quoted' $x")));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("per call 'quoted' $x\n");
        ExecutionResult next = succeeded(sh("echo \"[${KIT_CALL_VAR-unset}]\""));
        assertThat(next.stdout()).as(describe(next)).isEqualTo("[unset]\n");
    }

    @Test
    void unicodeInCommandAndOutput() {
        ExecutionResult r = succeeded(sh("echo '" + LanguageContract.UNICODE + "'"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo(LanguageContract.UNICODE + "\n");
    }

    @Test
    void invalidUtf8IsReplaced() {
        ExecutionResult r = succeeded(sh("printf '\\377\\376 ok\\n'"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("\uFFFD\uFFFD ok\n");
    }

    @Test
    void missingCommandIs127() {
        ExecutionResult r = failedWith(sh("exxec-kit-no-such-command-xyz"), ErrorTypes.PROCESS_EXIT);
        assertThat(r.exitCode()).as(describe(r)).isEqualTo(127);
        assertThat(r.stderr()).as(describe(r)).isNotEmpty();
    }
}
