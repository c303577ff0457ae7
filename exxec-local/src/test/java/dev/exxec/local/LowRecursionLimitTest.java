package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A program that lowers its recursion limit to almost nothing before it fails leaves the driver too
 * little stack to read its exception. Whatever the limit, the call still ends with a record of the
 * program's failure (at worst its class's name and "the exception could not be read"), never with
 * the driver's own traceback; and some limit in the range reaches that last fallback, so it is run.
 */
class LowRecursionLimitTest {
    @Test
    void everyLowLimitStillGivesTheProgramsFailure() {
        List<String> errors = new ArrayList<>();
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            for (int limit = 4; limit <= 40; limit += 2) {
                ExecutionResult r = env.execute(
                        Code.python("import sys\nsys.setrecursionlimit(" + limit + ")\nraise ValueError('v')\n"));
                assertThat(r.success()).as("limit %d: %s", limit, r).isFalse();
                assertThat(r.errorType()).as("limit %d: %s", limit, r).isIn("ValueError", "RecursionError");
                assertThat(r.stderr()).as("limit %d: %s", limit, r).doesNotContain("python_driver.py");
                errors.add(r.error());
            }
        }
        assertThat(errors).as("the last fallback was reached").contains("the exception could not be read");
        assertThat(errors).as("and a limit that leaves room reads the message").contains("v");
    }
}
