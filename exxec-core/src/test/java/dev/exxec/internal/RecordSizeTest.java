package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.ExecutionResult;
import dev.exxec.RichOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordSizeTest {
    private static ExecutionResult value(Object value) {
        return ExecutionResult.builder()
                .success(true)
                .result(value, null)
                .duration(Duration.ZERO)
                .build();
    }

    @Test
    void aStringCountsItsUtf8Bytes() {
        assertThat(RecordSize.exceeds(value("x".repeat(1000)), 1040)).isFalse();
        assertThat(RecordSize.exceeds(value("é".repeat(1000)), 1040))
                .as("two bytes each")
                .isTrue();
        assertThat(RecordSize.exceeds(value("€".repeat(400)), 1040))
                .as("three bytes each")
                .isTrue();
    }

    @Test
    void escapesCountAsJsonWritesThem() {
        assertThat(RecordSize.exceeds(value("\u0001".repeat(200)), 1000))
                .as("six bytes each")
                .isTrue();
        assertThat(RecordSize.exceeds(value("\\".repeat(600)), 1000))
                .as("two bytes each")
                .isTrue();
        assertThat(RecordSize.exceeds(value("\n".repeat(400)), 1000)).isFalse();
    }

    @Test
    void nestedValuesKeysErrorsAndOutputsCount() {
        assertThat(RecordSize.exceeds(value(Map.of("k".repeat(600), List.of("v".repeat(600)))), 1000))
                .isTrue();
        assertThat(RecordSize.exceeds(value(Map.of("k", List.of(1, 2, 3))), 1000))
                .isFalse();
        ExecutionResult failed = ExecutionResult.builder()
                .duration(Duration.ZERO)
                .error("e".repeat(600), "Error", "t".repeat(600))
                .build();
        assertThat(RecordSize.exceeds(failed, 1000)).isTrue();
        ExecutionResult shown = value(null).toBuilder()
                .outputs(List.of(new RichOutput("text/plain", "o".repeat(2000))))
                .build();
        assertThat(RecordSize.exceeds(shown, 1000)).isTrue();
    }

    @Test
    void aDeepValueCostsNoStack() {
        List<Object> root = new ArrayList<>();
        List<Object> at = root;
        for (int i = 0; i < 1_000_000; i++) {
            List<Object> next = new ArrayList<>();
            at.add(next);
            at = next;
        }
        assertThat(RecordSize.exceeds(value(root), 10L << 20)).isFalse();
        assertThat(RecordSize.exceeds(value(root), 1000)).isTrue();
    }
}
