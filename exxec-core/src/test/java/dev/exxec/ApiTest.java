package dev.exxec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiTest {
    @Test
    void codeRejectsEmptySourceAndNegativeTimeouts() {
        assertThatThrownBy(() -> Code.python("  \n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Code.python("x").withTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Command.of("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void codeWithersKeepTheRest() {
        Code c = Code.javascript("1").withEnv("A", "b").withCwd("sub").withTimeout(Duration.ofSeconds(2));
        assertThat(c.language()).isEqualTo(Language.JAVASCRIPT);
        assertThat(c.env()).isEqualTo(Map.of("A", "b"));
        assertThat(c.cwd()).isEqualTo("sub");
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void languagesByNameAliasAndFileName() {
        assertThat(Language.of("PY")).isEqualTo(Language.PYTHON);
        assertThat(Language.of("node")).isEqualTo(Language.JAVASCRIPT);
        assertThat(Language.fromFileName("x/hello.ts")).contains(Language.TYPESCRIPT);
        assertThat(Language.fromFileName("run.mjs")).contains(Language.JAVASCRIPT);
        assertThat(Language.fromFileName("README")).isEmpty();
        assertThatThrownBy(() -> Language.of("cobol")).hasMessageContaining("known: python, javascript, typescript");
    }

    @Test
    void aFailedResultNeedsAnErrorType() {
        assertThatThrownBy(() -> ExecutionResult.builder().success(false).build())
                .isInstanceOf(IllegalArgumentException.class);
        ExecutionResult ok = ExecutionResult.builder()
                .success(true)
                .result(Map.of("a", 1), null)
                .build();
        assertThat(ok.resultJson()).isEqualTo("{\"a\":1}");
        record A(int a) {}
        assertThat(ok.resultAs(A.class)).isEqualTo(new A(1));
    }

    @Test
    void aStopComesWithItsErrorTypeAndTravelsWithTheResult() {
        ExecutionResult stopped = ExecutionResult.builder()
                .exitCode(137)
                .stopped(Stop.DEADLINE, "killed at the deadline", null)
                .build();
        assertThat(stopped.success()).isFalse();
        assertThat(stopped.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(stopped.stoppedBy()).isEqualTo(Stop.DEADLINE);
        assertThat(stopped.toBuilder().build()).isEqualTo(stopped);
        // The code's own TimeoutError: no stop.
        assertThat(ExecutionResult.builder()
                        .error("killed", ErrorTypes.TIMEOUT, null)
                        .build()
                        .stoppedBy())
                .isNull();
        // A stop never goes with another error type, nor with success.
        assertThatThrownBy(
                        () -> stopped.toBuilder().error("x", "ValueError", null).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stopped.toBuilder().success(true).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(stopped.toBuilder()
                        .stopped(Stop.MEMORY_LIMIT, "the kernel killed it", null)
                        .build()
                        .errorType())
                .isEqualTo(ErrorTypes.MEMORY_LIMIT);
    }

    @Test
    void unknownProvidersListTheKnownOnes() {
        assertThatThrownBy(() -> Exxec.environment("nope"))
                .isInstanceOf(ProviderNotFoundException.class)
                .hasMessageContaining("unknown provider 'nope'");
    }
}
