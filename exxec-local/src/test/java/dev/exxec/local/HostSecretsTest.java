package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.testkit.Requirements;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What code can read of this JVM's environment, measured, so that what docs/security.md says about
 * host secrets stays true. {@code inheritEnv=false} keeps the JVM's variables out of the code's own
 * environment on every provider; on {@code local} the code still runs as this JVM's user on this
 * machine and reads {@code /proc/JVM/environ} (the same user may), so {@code local} keeps no secret
 * from the code. {@code sandbox} runs it in a PID namespace of its own, where no process of the host
 * is visible. (The kit's {@code HostileContract} proves the same for {@code sandbox} and {@code docker}
 * with a variable planted in a child JVM.)
 */
class HostSecretsTest {

    /** A variable of this JVM's environment that the code is not given: neither PATH, HOME nor LANG. */
    private static Map.Entry<String, String> hostVariable() {
        return System.getenv().entrySet().stream()
                .filter(e -> !Set.of("PATH", "HOME", "LANG").contains(e.getKey()))
                .filter(e -> e.getValue().length() >= 4)
                .sorted(Map.Entry.comparingByKey())
                .findFirst()
                .orElseThrow(() -> new AssertionError("this JVM has no environment variable to look for"));
    }

    /** Python that reads every {@code /proc/PID/environ} it can and reports whether NAME=value is in one. */
    private static Code scan(Map.Entry<String, String> host, long jvm) {
        String needle = HexFormat.of()
                .formatHex((host.getKey() + "=" + host.getValue() + "\0").getBytes(StandardCharsets.UTF_8));
        return Code.python("""
                import os
                needle = bytes.fromhex("%s")
                found, readable = [], 0
                for pid in os.listdir("/proc"):
                    if not pid.isdigit():
                        continue
                    try:
                        with open("/proc/%%s/environ" %% pid, "rb") as f:
                            data = b"\\0" + f.read()
                    except OSError:
                        continue
                    readable += 1
                    if b"\\0" + needle in data:
                        found.append(int(pid))
                _result = {"found": found, "readable": readable, "own": needle[:-1].decode() in
                    ["%%s=%%s" %% kv for kv in os.environ.items()], "jvm": %d}
                """.formatted(needle, jvm));
    }

    @Test
    void localCodeReadsTheJvmsEnvironmentInProc() {
        Map.Entry<String, String> host = hostVariable();
        long jvm = ProcessHandle.current().pid();
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            ExecutionResult r = env.execute(scan(host, jvm));
            assertThat(r.success()).as(r.toString()).isTrue();
            Map<?, ?> seen = (Map<?, ?>) r.result();
            assertThat(seen.get("own"))
                    .as("the JVM's %s is in the code's own environment: %s", host.getKey(), r)
                    .isEqualTo(false);
            assertThat(((java.util.List<?>) seen.get("found")).stream().map(String::valueOf))
                    .as(
                            "local code reads the JVM's %s in /proc/%d/environ, as docs/security.md says; if this"
                                    + " changed, say so there and in the README: %s",
                            host.getKey(), jvm, r)
                    .contains(String.valueOf(jvm));
        }
    }

    @Test
    void sandboxedCodeSeesNothingOfTheJvmsEnvironment() {
        Requirements.require(
                Bubblewrap.probe().works(),
                "bubblewrap does not work here: " + Bubblewrap.probe().problem());
        Map.Entry<String, String> host = hostVariable();
        try (ExecutionEnvironment env = Exxec.environment("sandbox", Map.of("python", "/usr/bin/python3"))) {
            ExecutionResult r = env.execute(scan(host, ProcessHandle.current().pid()));
            assertThat(r.success()).as(r.toString()).isTrue();
            Map<?, ?> seen = (Map<?, ?>) r.result();
            assertThat(seen.get("own")).as(r.toString()).isEqualTo(false);
            assertThat(((Number) seen.get("readable")).intValue())
                    .as("the code read its own /proc entries: %s", r)
                    .isPositive();
            assertThat((java.util.List<?>) seen.get("found"))
                    .as("the JVM's %s is visible in the sandbox: %s", host.getKey(), r)
                    .isEmpty();
        }
    }
}
