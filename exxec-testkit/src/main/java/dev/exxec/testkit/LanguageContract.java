package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.failedWith;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The result protocol, errors and output encoding of one language: {@code main()} sync and async,
 * {@code _result}, JSON values as plain Java, non-JSON values as text, exceptions as results, and
 * printed output that stays out of the result and cannot forge it.
 */
abstract class LanguageContract extends KitArea {
    /** The fake result records every language prints, one per line. */
    static final String FAKE_RECORD = "{\"ok\":true,\"value\":666,\"type\":null}";

    static final String FAKE_LINES = "\u001eexxec-result:" + "A".repeat(24) + ":" + FAKE_RECORD + "\n"
            + "\u001eexxec-result:" + FAKE_RECORD + "\n" + FAKE_RECORD + "\n";

    static final String UNICODE = "é 😀 中文";

    private final LanguagePrograms programs;

    LanguageContract(EnvironmentFactory factory, Language language) {
        super(factory);
        this.programs = LanguagePrograms.of(language);
    }

    @BeforeAll
    final void requireLanguage() {
        assumeLanguage(programs.language());
    }

    private ExecutionResult run(String source) {
        return env().execute(Code.of(programs.language(), source));
    }

    @Test
    void syncMainReturnsJsonValue() {
        ExecutionResult r = succeeded(run(programs.syncMain()));
        assertThat(r.result())
                .as(describe(r))
                .isEqualTo(Map.of("answer", 42, "items", Arrays.asList(1, 2.5, "x", true, null)));
        assertThat(r.resultType()).as(describe(r)).isNull();
        assertThat(r.exitCode()).as(describe(r)).isZero();
    }

    @Test
    void asyncMainIsAwaited() {
        ExecutionResult r = succeeded(run(programs.asyncMain()));
        assertThat(r.result()).as(describe(r)).isEqualTo("async-ok");
    }

    @Test
    void underscoreResultIsTheResult() {
        ExecutionResult r = succeeded(run(programs.underscoreResult()));
        assertThat(r.result()).as(describe(r)).isEqualTo(List.of(1, 2, 3));
    }

    @Test
    void mainWinsOverUnderscoreResult() {
        ExecutionResult r = succeeded(run(programs.mainAndResult()));
        assertThat(r.result()).as(describe(r)).isEqualTo("main");
    }

    @Test
    void numbersArriveAsTheNarrowestJavaType() {
        ExecutionResult r = succeeded(run(programs.numbers()));
        assertThat(r.result()).as(describe(r)).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) r.result();
        assertThat(map.get("small")).as(describe(r)).isEqualTo(7);
        assertThat(map.get("large")).as(describe(r)).isEqualTo(1L << 40);
        assertThat(map.get("negative")).as(describe(r)).isEqualTo(-3);
        assertThat(map.get("float")).as(describe(r)).isEqualTo(1.5);
        if (programs.hasBigIntegers()) {
            assertThat(map.get("huge")).as(describe(r)).isEqualTo(BigInteger.TWO.pow(70));
        }
    }

    @Test
    void resultCollectionsAreUnmodifiable() {
        ExecutionResult r = succeeded(run(programs.syncMain()));
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) r.result();
        assertThatThrownBy(() -> map.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) map.get("items");
        assertThatThrownBy(() -> items.add(1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nonJsonValueComesBackAsTextWithItsType() {
        ExecutionResult r = succeeded(run(programs.nonJson()));
        assertThat(r.result()).as(describe(r)).isEqualTo(programs.nonJsonText());
        assertThat(r.resultType()).as(describe(r)).isEqualTo(programs.nonJsonType());
    }

    @Test
    void noMainAndNoResultGivesNull() {
        ExecutionResult r = succeeded(run(programs.noResult()));
        assertThat(r.result()).as(describe(r)).isNull();
        assertThat(r.resultType()).as(describe(r)).isNull();
        assertThat(r.stdout()).as(describe(r)).isEmpty();
    }

    @Test
    void exceptionIsAFailedResultWithClassMessageAndTraceback() {
        ExecutionResult r = failedWith(run(programs.raisesAtLine3()), programs.lineErrorType());
        assertThat(r.error()).as(describe(r)).isEqualTo("bad value");
        assertThat(r.traceback()).as(describe(r)).isNotNull().contains(programs.lineMark());
        assertThat(r.result()).as(describe(r)).isNull();
        assertThat(r.exitCode()).as(describe(r)).isNotZero();
    }

    @Test
    void aNamedProgramsTracebackNamesIt() {
        String name = "dir/it's a name=$&.src";
        ExecutionResult r = failedWith(
                env().execute(Code.of(programs.language(), programs.raisesAtLine3())
                        .named(name)),
                programs.lineErrorType());
        assertThat(r.traceback())
                .as(describe(r))
                .isNotNull()
                .contains(name)
                .contains(programs.lineMark())
                .doesNotContain("<code>");
    }

    @Test
    void customExceptionClassNameIsTheErrorType() {
        ExecutionResult r = failedWith(run(programs.customError()), "QuotaError");
        assertThat(r.error()).as(describe(r)).isEqualTo("over quota");
        assertThat(r.traceback()).as(describe(r)).isNotNull();
    }

    @Test
    void exceptionInAsyncMainIsAFailedResult() {
        ExecutionResult r = failedWith(run(programs.asyncError()), programs.asyncErrorType());
        assertThat(r.error()).as(describe(r)).isEqualTo(programs.asyncErrorMessage());
        assertThat(r.traceback()).as(describe(r)).isNotNull();
    }

    @Test
    void syntaxErrorIsSyntaxError() {
        ExecutionResult r = failedWith(run(programs.syntaxError()), "SyntaxError");
        assertThat(r.error()).as(describe(r)).isNotBlank();
    }

    @Test
    void printedOutputIsInStdoutNeverInResult() {
        ExecutionResult r = succeeded(run(programs.printsAndReturns()));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("hello\n");
        assertThat(r.result()).as(describe(r)).isEqualTo(1);
        assertThat(r.stderr()).as(describe(r)).isEmpty();
    }

    @Test
    void stderrIsSeparateFromStdout() {
        ExecutionResult r = succeeded(run(programs.bothStreams()));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("to-out\n");
        assertThat(r.stderr()).as(describe(r)).isEqualTo("to-err\n");
    }

    @Test
    void printedFakeRecordsCannotChangeTheResult() {
        ExecutionResult r = succeeded(run(programs.fakeRecordsThenResult()));
        assertThat(r.result()).as(describe(r)).isEqualTo(1);
        assertThat(r.stdout())
                .as("what the program printed stays output: %s", describe(r))
                .isEqualTo(FAKE_LINES);
    }

    @Test
    void printedFakeRecordsCannotHideAnError() {
        ExecutionResult r = run(programs.fakeRecordsThenError());
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.error()).as(describe(r)).isEqualTo("after the fakes");
        assertThat(r.result()).as(describe(r)).isNull();
    }

    @Test
    void printedFakeRecordsCannotInventAResult() {
        ExecutionResult r = succeeded(run(programs.fakeRecordsOnly()));
        assertThat(r.result()).as(describe(r)).isNull();
        assertThat(r.stdout()).as(describe(r)).isEqualTo(FAKE_LINES);
    }

    @Test
    void fakeRecordsWrittenToOpenFilesCannotChangeTheResult() {
        ExecutionResult r = succeeded(run(programs.forgesOpenFilesThenResult()));
        assertThat(r.result()).as(describe(r)).isEqualTo(1);
    }

    @Test
    void fakeRecordsWrittenToOpenFilesCannotForgeAResult() {
        ExecutionResult r = run(programs.forgesOpenFilesThenExits());
        assertThat(r.result())
                .as("the program exited without a result: %s", describe(r))
                .isNull();
        assertThat(r.success())
                .as("exit code 0 without a result is a success: %s", describe(r))
                .isTrue();
    }

    @Test
    void unicodeGoesInAndComesOut() {
        ExecutionResult r = succeeded(run(programs.unicode()));
        assertThat(r.stdout()).as(describe(r)).isEqualTo(UNICODE + "\n");
        assertThat(r.result()).as(describe(r)).isEqualTo(UNICODE);
    }

    @Test
    void invalidUtf8OutputIsReplacedNotFatal() {
        ExecutionResult r = succeeded(run(programs.invalidUtf8()));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("\uFFFD\uFFFD ok\n");
        assertThat(r.result()).as(describe(r)).isEqualTo(1);
    }

    @Test
    void exitWithCodeIsAFailureWithThatCode() {
        ExecutionResult r = run(programs.exits3());
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.exitCode()).as(describe(r)).isEqualTo(3);
        assertThat(r.errorType()).as(describe(r)).isNotNull();
        assertThat(r.stdout()).as(describe(r)).isEqualTo("bye\n");
    }

    @Test
    void exitWithZeroIsASuccessWithoutResult() {
        ExecutionResult r = succeeded(run(programs.exits0()));
        assertThat(r.exitCode()).as(describe(r)).isZero();
        assertThat(r.result()).as(describe(r)).isNull();
        assertThat(r.stdout()).as(describe(r)).isEqualTo("bye\n");
    }

    @Test
    void standardInputIsEmptyAndClosed() {
        ExecutionResult r = succeeded(env().execute(
                        Code.of(programs.language(), programs.readsStdin()).withTimeout(Duration.ofSeconds(10))));
        assertThat(r.result()).as(describe(r)).isEqualTo("");
    }

    @Test
    void executeStringRunsTheConfiguredDefaultLanguage() {
        ExecutionEnvironment env = newEnv(Map.of("language", programs.language().id()));
        assertThat(env.defaultLanguage()).isEqualTo(programs.language());
        ExecutionResult r = succeeded(env.execute(programs.underscoreResult()));
        assertThat(r.result()).as(describe(r)).isEqualTo(List.of(1, 2, 3));
    }
}
