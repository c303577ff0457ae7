package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Hostile review of the drivers (issue 15): a class whose metaclass refuses every attribute, its
 * {@code __name__} included, is the program's own, and its exception or value is reported as the
 * program's outcome under its true name. (The one-shot Python driver failed while naming the
 * exception: the call ended as "the process exited with exit code 1 before reporting a result", with
 * the driver's own traceback on standard error.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpaqueClassTest {
    private static final String OPAQUE = """
            class Opaque(type):
                def __getattribute__(cls, name):
                    raise RuntimeError("no " + name)

            class QuotaError(Exception, metaclass=Opaque):
                pass

            class Box(metaclass=Opaque):
                def __repr__(self):
                    return "a box"
            """;

    private ExecutionEnvironment env;

    @BeforeAll
    void open() {
        env = Exxec.environment("local", Map.of());
    }

    @AfterAll
    void close() {
        env.close();
    }

    private static void isTheProgramsError(ExecutionResult r) {
        assertThat(r.success()).as("%s", r).isFalse();
        assertThat(r.errorType()).as("%s", r).isEqualTo("QuotaError");
        assertThat(r.error()).as("%s", r).isEqualTo("over quota");
        assertThat(r.stderr()).as("%s", r).doesNotContain("python_driver.py");
    }

    @Test
    void anExceptionOfAnOpaqueClassIsTheProgramsErrorUnderItsName() {
        isTheProgramsError(env.execute(Code.python(OPAQUE + "raise QuotaError('over quota')\n")));
        try (CodeSession s = env.session(Language.PYTHON)) {
            isTheProgramsError(s.execute(Code.python(OPAQUE + "raise QuotaError('over quota')\n")));
        }
    }

    @Test
    void aValueOfAnOpaqueClassComesBackAsTextWithItsType() {
        ExecutionResult r = env.execute(Code.python(OPAQUE + "_result = Box()\n"));
        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.result()).as("%s", r).isEqualTo("a box");
        assertThat(r.resultType()).as("%s", r).isEqualTo("Box");
    }
}
