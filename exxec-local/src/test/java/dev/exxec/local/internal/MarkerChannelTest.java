package dev.exxec.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.Stop;
import dev.exxec.local.LocalConfig;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.ExecutionRun;
import dev.exxec.spi.HostProcess;
import dev.exxec.spi.ResultChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The drivers' other result channel, a marker line on standard output, which remote providers use
 * where standard output is the only way back: the record is taken out of the output, even after an
 * unfinished line, and a printed look-alike with another marker changes nothing.
 */
class MarkerChannelTest {

    private static ExecutionResult run(Language language, String source) {
        return run(language, DriverProtocol.newMarker(), source, Duration.ofSeconds(20));
    }

    private static ExecutionResult run(Language language, String marker, String source, Duration timeout) {
        LocalConfig config = LocalConfig.from(Map.of("python", "/usr/bin/python3"));
        Map<String, String> header = new LinkedHashMap<>();
        header.put("marker", marker);
        List<String> command;
        if (language == Language.PYTHON) {
            Interpreters.Python python =
                    Interpreters.python(config, Interpreters.systemPath()).runtime();
            header.put("support", python.support().toString());
            command = List.of(
                    python.executable().toString(),
                    DriverProtocol.PYTHON_ISOLATED,
                    python.driver().toString());
        } else {
            Interpreters.Node node =
                    Interpreters.node(config, Interpreters.systemPath()).runtime();
            command = List.of(
                    node.executable().toString(),
                    Interpreters.javascriptDriver().toString());
        }
        ExecutionRun.Spec spec = new ExecutionRun.Spec(
                "ex-marker",
                command.get(0),
                ExecutionRun.Kind.CODE,
                timeout,
                1 << 20,
                false,
                DriverProtocol.request(header, source),
                new ResultChannel.Marker(marker));
        return ExecutionRun.run(
                spec, () -> HostProcess.start(new ProcessBuilder(command), HostProcess.SessionMode.SETSID), null);
    }

    @ParameterizedTest
    @EnumSource(
            value = Language.class,
            names = {"PYTHON", "JAVASCRIPT"})
    void theRecordLeavesTheOutputAndFakesStayIn(Language language) {
        String fake = "\\u001eexxec-result:zzzzzzzzzzzzzzzzzzzzzzzz:{\\\"ok\\\":true,\\\"value\\\":666}";
        String source = language == Language.PYTHON
                ? "import sys\nprint('" + fake + "')\nsys.stdout.write('no newline')\n_result = {'answer': 42}\n"
                : "console.log('" + fake + "');\nprocess.stdout.write('no newline');\nlet _result = {answer: 42};\n";
        ExecutionResult r = run(language, source);
        assertThat(r.success()).as(r.toString()).isTrue();
        assertThat(r.result()).isEqualTo(Map.of("answer", 42));
        assertThat(r.stdout())
                .isEqualTo("\u001eexxec-result:zzzzzzzzzzzzzzzzzzzzzzzz:{\"ok\":true,\"value\":666}\nno newline");
    }

    @ParameterizedTest
    @EnumSource(
            value = Language.class,
            names = {"PYTHON", "JAVASCRIPT"})
    void failuresTravelTheSameWay(Language language) {
        ExecutionResult r =
                run(language, language == Language.PYTHON ? "raise KeyError('k')\n" : "throw new TypeError('t');\n");
        assertThat(r.success()).isFalse();
        assertThat(r.errorType()).isEqualTo(language == Language.PYTHON ? "KeyError" : "TypeError");
        assertThat(r.stdout()).isEmpty();
    }

    /**
     * A program that learnt the marker (here from the test; in life from the driver's memory) writes a
     * record in exxec's words: it stays the program's claim, and only the deadline this side kept
     * sets {@link ExecutionResult#stoppedBy()}.
     */
    @ParameterizedTest
    @EnumSource(
            value = Language.class,
            names = {"PYTHON", "JAVASCRIPT"})
    void aRecordInExxecsWordsIsNoStopAndARealDeadlineIs(Language language) {
        String marker = DriverProtocol.newMarker();
        String record = "{\"ok\":false,\"error\":\"the execution exceeded its timeout of 20s and was killed\","
                + "\"errorType\":\"TimeoutError\",\"traceback\":null}";
        String forged = (marker + record).replace("\u001e", "\\u001e").replace("\"", "\\\"");
        String source = language == Language.PYTHON
                ? "import os, sys\nsys.stdout.write(\"" + forged + "\\n\")\nsys.stdout.flush()\nos._exit(0)\n"
                : "require('fs').writeSync(1, \"" + forged + "\\n\");\nprocess.exit(0);\n";
        ExecutionResult r = run(language, marker, source, Duration.ofSeconds(20));
        assertThat(r.errorType()).as(r.toString()).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(r.error()).as(r.toString()).isEqualTo("the execution exceeded its timeout of 20s and was killed");
        assertThat(r.stoppedBy()).as(r.toString()).isNull();

        String sleeps =
                language == Language.PYTHON ? "import time\ntime.sleep(30)\n" : "setTimeout(() => {}, 30000);\n";
        ExecutionResult timedOut = run(language, DriverProtocol.newMarker(), sleeps, Duration.ofMillis(500));
        assertThat(timedOut.stoppedBy()).as(timedOut.toString()).isEqualTo(Stop.DEADLINE);
        assertThat(timedOut.errorType()).as(timedOut.toString()).isEqualTo(ErrorTypes.TIMEOUT);
    }
}
