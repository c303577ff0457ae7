package dev.exxec.graalvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hostile review (issue 15): what a JavaScript program does to its own values and its own realm is the
 * program's outcome, never a failure of the provider. A value with a throwing getter, and a {@code let}
 * that shadows a global the driver uses, made execute and evaluate throw "the graalvm provider failed
 * to run the program" (and {@code exxec repl -p graalvm} end with 125), where {@code local} gives a
 * result.
 */
class GraalvmHostileValuesTest {

    @Test
    void aValueWhoseGetterThrowsIsAResult() {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of());
                CodeSession js = env.session(Language.JAVASCRIPT)) {
            ExecutionResult run = env.execute(Code.javascript("_result = {get a() { throw new Error('getter'); }}"));
            assertThat(run.success()).as("%s", run).isTrue();
            assertThat(String.valueOf(run.result())).contains("a");

            ExecutionResult nested =
                    env.execute(Code.javascript("_result = {x: [{get a() { throw new Error('deep'); }}]}"));
            assertThat(nested.success()).as("%s", nested).isTrue();

            ExecutionResult typed = js.evaluate(Code.javascript("({get a() { throw new Error('getter'); }})"));
            assertThat(typed.success()).as("%s", typed).isTrue();
            assertThat(js.evaluate(Code.javascript("1 + 1")).result()).isEqualTo(2);
        }
    }

    @Test
    void aLetThatShadowsWhatTheDriverUsesFailsOnlyTheSession() {
        try (ExecutionEnvironment env = Exxec.environment("graalvm", Map.of())) {
            for (String global : new String[] {"Object", "Array", "JSON", "String", "Symbol", "Promise"}) {
                try (CodeSession js = env.session(Language.JAVASCRIPT)) {
                    ExecutionResult shadow = js.evaluate(Code.javascript("let " + global + " = 1"));
                    ExecutionResult after = js.evaluate(Code.javascript("({n: 2 + 2})"));
                    // a result either way (the value, or the error the program's realm now gives)
                    assertThat(after).as(global + ": %s / %s", shadow, after).isNotNull();
                    ExecutionResult executed = js.execute(Code.javascript("_result = [1, 2]"));
                    assertThat(executed).as(global).isNotNull();
                }
            }
            // the environment itself is untouched
            assertThat(env.execute(Code.javascript("_result = Object.keys({a: 1})"))
                            .result())
                    .isEqualTo(java.util.List.of("a"));
        }
    }
}
