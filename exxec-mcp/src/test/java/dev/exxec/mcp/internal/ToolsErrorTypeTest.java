package dev.exxec.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.ExxecException;
import org.junit.jupiter.api.Test;

/** A provider's refusal at one of its limits reads as a limit in {@code exxec serve}'s results. */
class ToolsErrorTypeTest {
    @Test
    void aProvidersLimitIsALimitExceededError() {
        assertThat(Tools.errorType(new dev.exxec.LimitExceededException("at the limit")))
                .isEqualTo("LimitExceededError");
        assertThat(Tools.errorType(new ExxecException("broken"))).isEqualTo("ExxecError");
    }
}
