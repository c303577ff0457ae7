package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.exxec.ExecutionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Assertions and parsing shared by the areas; failures show the whole result. */
final class Outcomes {
    private static final Pattern PID = Pattern.compile("pid:([\\w-]+)=((?:\\S*:)?\\d+)(?=\\r?\\n)");
    private static final int SHOWN = 2000;

    /**
     * Shell that sets {@code ns} to the shell's PID namespace, or to nothing where {@code /proc} does
     * not tell it, so that a command reports a process as {@code echo pid:LABEL=$ns:$$} (a {@link
     * ProcessRef}). The {@code readlink} child is in the shell's namespace, and {@code /proc/self} is
     * right even where {@code /proc} is another namespace's, where {@code /proc/$$} would name some
     * other process.
     */
    static final String SH_NS = "ns=$(readlink /proc/self/ns/pid 2>/dev/null); ";

    /**
     * Python that defines {@code pid_ref(pid)}: a pid of the program's PID namespace as a {@link
     * ProcessRef} reads it, so that a program reports a process as {@code print("pid:LABEL=" +
     * pid_ref(n))}.
     */
    static final String PY_PID_REF = """
            import os

            def pid_ref(pid):
                try:
                    return "%s:%d" % (os.readlink("/proc/self/ns/pid"), pid)
                except OSError:
                    return str(pid)

            """;

    private Outcomes() {}

    /** A result as a failure message shows it, long outputs cut. */
    static String describe(ExecutionResult r) {
        return "result{success=" + r.success() + ", exitCode=" + r.exitCode() + ", errorType=" + r.errorType()
                + ", error=" + cut(r.error()) + ", result=" + cut(String.valueOf(r.result())) + ", resultType="
                + r.resultType() + ", stdout=" + cut(r.stdout()) + ", stderr=" + cut(r.stderr()) + ", traceback="
                + cut(r.traceback()) + ", truncated=" + r.stdoutTruncated() + "/" + r.stderrTruncated()
                + ", duration=" + r.duration().toMillis() + "ms}";
    }

    private static String cut(String s) {
        if (s == null) {
            return "null";
        }
        String quoted = s.replace("\n", "\\n");
        return quoted.length() <= SHOWN
                ? '"' + quoted + '"'
                : '"' + quoted.substring(0, SHOWN) + "...\" (" + s.length() + " chars)";
    }

    /** Asserts success and returns the result. */
    static ExecutionResult succeeded(ExecutionResult r) {
        assertThat(r.success()).as("the call should succeed: %s", describe(r)).isTrue();
        assertThat(r.error()).as("error of a success: %s", describe(r)).isNull();
        assertThat(r.errorType()).as("errorType of a success: %s", describe(r)).isNull();
        return r;
    }

    /** Asserts failure with this error type and returns the result. */
    static ExecutionResult failedWith(ExecutionResult r, String errorType) {
        assertThat(r.success()).as("the call should fail: %s", describe(r)).isFalse();
        assertThat(r.errorType()).as("errorType: %s", describe(r)).isEqualTo(errorType);
        assertThat(r.error()).as("error message: %s", describe(r)).isNotNull();
        return r;
    }

    /** Asserts failure with one of these error types and returns the result. */
    static ExecutionResult failedWithOneOf(ExecutionResult r, Collection<String> errorTypes) {
        assertThat(r.success()).as("the call should fail: %s", describe(r)).isFalse();
        assertThat(r.errorType()).as("errorType: %s", describe(r)).isIn(errorTypes);
        assertThat(r.error()).as("error message: %s", describe(r)).isNotNull();
        return r;
    }

    /**
     * The processes a program printed as {@code pid:LABEL=REF} lines ({@code REF} as {@link
     * ProcessRef#parse} reads it: {@code <pid namespace>:<pid>} or a bare pid), by label, in order; a
     * program prints them so that the kit can check with the probe that they are gone.
     */
    static Map<String, ProcessRef> pids(String output) {
        Map<String, ProcessRef> pids = new LinkedHashMap<>();
        Matcher m = PID.matcher(output);
        while (m.find()) {
            pids.put(m.group(1), ProcessRef.parse(m.group(2)));
        }
        return pids;
    }

    /** Waits up to {@code within} until none of the processes is alive; fails naming the live ones. */
    static void awaitGone(HostProbe probe, Collection<ProcessRef> processes, Duration within) {
        assertThat(processes).as("processes to check").isNotEmpty();
        await().atMost(within)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(() -> {
                    List<ProcessRef> alive = new ArrayList<>();
                    for (ProcessRef process : processes) {
                        if (probe.isAlive(process)) {
                            alive.add(process);
                        }
                    }
                    assertThat(alive)
                            .as("processes still alive of %s", processes)
                            .isEmpty();
                });
    }
}
