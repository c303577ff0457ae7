package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.BackgroundProcess;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.ProcessSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What a second hostile review of the sandbox (after issue 13) found still getting through, as code
 * would find it: each case fails where the finding holds.
 *
 * <p>Like {@link HostileContract}, the area runs only where the environment declares isolation
 * {@link Isolation#OS_SANDBOX} or stronger.
 */
abstract class HostileReviewContract extends HostileArea {
    HostileReviewContract(EnvironmentFactory factory) {
        super(factory);
    }

    // 1. The mount table shows the host's paths

    /**
     * Python that prints the mount table the process sees: {@code /proc/self/mountinfo} names, for
     * every bind mount, the directory of the host it came from.
     */
    private static final String MOUNT_VIEW = """
            with open("/proc/self/mountinfo") as f:
                print(f.read())
            """;

    /**
     * Issue 13 (finding 9) asked that nothing of the host's paths be visible inside; {@code
     * /proc/PID/cmdline} was fixed, but the mount table still named the host directory of every bind
     * with the JVM's pid in it ({@code /tmp/exxec-local-JVMPID-NNN/workspace}). Found: {@code ./exxec
     * exec --provider sandbox -- 'grep exxec /proc/self/mountinfo'}. The kernel shows each bind's source
     * directory relative to its file system's root, whatever path it was bound from (a container
     * runtime's binds show the same), so what can be asked is that those directories say nothing about
     * the host: no JVM pid, not this JVM's working directory. (An interpreter's installation is bound
     * at its own path, which the code sees as its interpreter's anyway.) The names are random now.
     */
    @Test
    void theMountTableShowsNoHostPath() throws InterruptedException {
        ExecutionEnvironment env = hostile();
        long jvm = ProcessHandle.current().pid();
        java.util.regex.Pattern pid = java.util.regex.Pattern.compile("exxec-[a-z]+-" + jvm + "-");
        List<String> hostPaths = new ArrayList<>();
        hostPaths.add(System.getProperty("user.dir"));
        Map<String, String> views = new TreeMap<>();
        if (env.capabilities().supports(Language.PYTHON)) {
            // The first calls may run before a warm interpreter is ready, later ones in it: several.
            for (int i = 0; i < 4; i++) {
                views.put(
                        "python call " + i,
                        succeeded(env.execute(Code.python(MOUNT_VIEW).withTimeout(Duration.ofSeconds(20))))
                                .stdout());
            }
        }
        if (env.capabilities().supports(Language.JAVASCRIPT)) {
            views.put(
                    "javascript",
                    succeeded(env.execute(Code.javascript(
                                            "console.log(require('fs').readFileSync('/proc/self/mountinfo', 'utf8'));")
                                    .withTimeout(Duration.ofSeconds(20))))
                            .stdout());
        }
        if (env.capabilities().commands()) {
            views.put(
                    "command",
                    succeeded(env.executeCommand(Command.of("cat /proc/self/mountinfo")))
                            .stdout());
        }
        if (env.capabilities().processes()) {
            BackgroundProcess p = env.processes().start(ProcessSpec.of("cat /proc/self/mountinfo"));
            assertThat(p.waitFor(Duration.ofSeconds(20)))
                    .as("the background process ended")
                    .isPresent();
            views.put("background process", p.output().stdout());
        }
        assumeTrue(!views.isEmpty(), "the environment runs neither commands nor code");
        views.forEach((kind, view) -> {
            assertThat(view).as("%s read /proc/self/mountinfo", kind).contains(" / ");
            hostPaths.forEach(host -> assertThat(view)
                    .as("%s: /proc/self/mountinfo inside names the host path %s:%n%s", kind, host, view)
                    .doesNotContain(host));
            assertThat(pid.matcher(view).find())
                    .as("%s: /proc/self/mountinfo inside names this JVM's pid %d:%n%s", kind, jvm, view)
                    .isFalse();
        });
    }
}
