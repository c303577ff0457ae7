package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code exxec serve}'s limits: flags with sane values, a deadline that is always finite. */
class ServeLimitsOptionsTest {

    @Test
    void aDefaultDeadlineOfZeroIsRefused() {
        Cli.Outcome o = Cli.run("serve", "--timeout", "0");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(125);
        assertThat(o.err()).contains("--timeout must be more than 0");
    }

    @Test
    void aDefaultDeadlineAboveTheMaximumIsRefused() {
        Cli.Outcome o = Cli.run("serve", "--timeout", "2h", "--max-timeout", "1h");
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(125);
        assertThat(o.err()).contains("--timeout", "--max-timeout");
    }

    @Test
    void capsMustBePositiveAndDurationsReadable() {
        for (String[] args : new String[][] {
            {"--max-calls", "0"},
            {"--max-sessions", "-1"},
            {"--max-processes", "0"},
            {"--max-named-sessions", "0"},
            {"--session-idle", "soon"},
            {"--http-idle-timeout", "0"},
            {"--process-retention", "-5"}
        }) {
            Cli.Outcome o = Cli.run("serve", args[0], args[1]);
            assertThat(o.exitCode()).as(o.toString()).isEqualTo(125);
            assertThat(o.err()).as(o.toString()).contains(args[0]).doesNotContain("Unknown option");
        }
    }

    @Test
    void theLimitsAreAcceptedAndTheServerEndsWithItsInput() {
        Cli.Outcome o = Cli.run(
                "serve",
                "--max-calls",
                "4",
                "--max-sessions",
                "2",
                "--session-idle",
                "90s",
                "--max-timeout",
                "10m",
                "--timeout",
                "5");
        assertThat(o.exitCode()).as(o.toString()).isZero();
    }
}
