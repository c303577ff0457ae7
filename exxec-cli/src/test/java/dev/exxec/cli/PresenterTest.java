package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionResult;
import dev.exxec.Stop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresenterTest {

    @Test
    void resultJsonHasEveryFieldInOrderNullsIncluded() {
        ExecutionResult r = ExecutionResult.builder()
                .success(true)
                .result(Map.of("a", 1), null)
                .stdout("hi\n")
                .duration(Duration.ofMillis(1234))
                .build();

        assertThat(JsonOutput.write(JsonOutput.result(r)))
                .isEqualTo("{\"success\":true,\"result\":{\"a\":1},\"resultType\":null,\"stdout\":\"hi\\n\","
                        + "\"stderr\":\"\",\"exitCode\":0,\"error\":null,\"errorType\":null,\"stoppedBy\":null,"
                        + "\"traceback\":null,"
                        + "\"durationMs\":1234,\"stdoutTruncated\":false,\"stderrTruncated\":false}");
    }

    @Test
    void streamedResultLineStartsWithItsEventName() {
        ExecutionResult r = ExecutionResult.builder()
                .success(false)
                .exitCode(137)
                .stopped(Stop.DEADLINE, "killed", null)
                .build();

        assertThat(JsonOutput.write(JsonOutput.event("result", JsonOutput.result(r))))
                .startsWith("{\"event\":\"result\",\"success\":false,")
                .contains("\"errorType\":\"TimeoutError\",\"stoppedBy\":\"DEADLINE\",");
    }

    @Test
    void valuesPrintAsPlainTextOrJson() {
        assertThat(Presenter.valueText("text")).isEqualTo("text");
        assertThat(Presenter.valueText(42)).isEqualTo("42");
        assertThat(Presenter.valueText(1.5)).isEqualTo("1.5");
        assertThat(Presenter.valueText(true)).isEqualTo("true");
        assertThat(Presenter.valueText(null)).isEqualTo("null");
        assertThat(Presenter.valueText(List.of(1, "two"))).isEqualTo("[1,\"two\"]");
    }

    @Test
    void execExitCodeIsTheCommandsOwn() {
        assertThat(ExecCommand.exitCode(ExecutionResult.builder().success(true).build()))
                .isZero();
        assertThat(ExecCommand.exitCode(failed(3, ErrorTypes.PROCESS_EXIT))).isEqualTo(3);
        assertThat(ExecCommand.exitCode(ExecutionResult.builder()
                        .exitCode(137)
                        .stopped(Stop.DEADLINE, "killed at the deadline", null)
                        .build()))
                .isEqualTo(124);
        // a program's own TimeoutError is the program's failure, not exxec's deadline
        assertThat(ExecCommand.exitCode(failed(1, ErrorTypes.TIMEOUT))).isEqualTo(1);
        // out of a status byte's range, or failed with 0: still a failure
        assertThat(ExecCommand.exitCode(failed(256, ErrorTypes.PROCESS_EXIT))).isEqualTo(1);
        assertThat(ExecCommand.exitCode(failed(0, ErrorTypes.OUTPUT_LIMIT))).isEqualTo(1);
    }

    private static ExecutionResult failed(int exitCode, String errorType) {
        return ExecutionResult.builder()
                .success(false)
                .exitCode(exitCode)
                .error("failed", errorType, null)
                .build();
    }
}
