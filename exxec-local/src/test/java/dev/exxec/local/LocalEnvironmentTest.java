package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.exxec.Code;
import dev.exxec.ConfigException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.UnsupportedCapabilityException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the local provider; the shared contract is in {@link LocalConformanceTest}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalEnvironmentTest {
    private ExecutionEnvironment env;

    @BeforeAll
    void start() {
        env = Exxec.environment("subprocess", Map.of("python", "/usr/bin/python3", "env.GREETING", "hi"));
    }

    @AfterAll
    void stop() {
        env.close();
    }

    @Test
    void theAliasMakesALocalEnvironment() {
        assertThat(env.providerId()).isEqualTo("local");
        assertThat(env.capabilities().isolation()).isEqualTo(dev.exxec.Isolation.PROCESS);
        assertThat(env.capabilities().inheritEnv()).isTrue();
    }

    @Test
    void codeSeesAMinimalEnvironmentWithTheWorkspaceAsHome() {
        ExecutionResult r = env.execute("import os, sys\n_result = [dict(os.environ), os.getcwd(), sys.executable]");
        List<?> result = (List<?>) r.result();
        @SuppressWarnings("unchecked")
        Map<String, Object> vars = (Map<String, Object>) result.get(0);
        assertThat(vars.keySet()).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "GREETING");
        assertThat(vars.get("HOME")).isEqualTo(env.files().workspace());
        assertThat(vars.get("LANG")).isEqualTo("C.UTF-8");
        assertThat((String) vars.get("PATH")).startsWith("/usr/bin:").contains("/bin");
        assertThat(result.get(1)).isEqualTo(env.files().workspace());
        assertThat(result.get(2)).isEqualTo("/usr/bin/python3");
    }

    @Test
    void aCommandsLeftoversDieWithIt() {
        // The background sleep keeps the output pipe open: the call still ends, and kills it.
        long start = System.nanoTime();
        ExecutionResult r = env.executeCommand("sleep 300 & echo $!");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        long pid = Long.parseLong(r.stdout().trim());
        await().atMost(Duration.ofSeconds(3))
                .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));

        // Detached from the pipes, it would outlive the call but for the sweep of the call's session.
        r = env.executeCommand("nohup sleep 300 >/dev/null 2>&1 & echo $!");
        long detached = Long.parseLong(r.stdout().trim());
        await().atMost(Duration.ofSeconds(3))
                .until(() -> ProcessHandle.of(detached).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void aLauncherShimRunsOnlyOnceForAllExecutions(@TempDir Path dir) throws Exception {
        Path count = dir.resolve("count");
        Path shim = dir.resolve("python3");
        Files.writeString(shim, "#!/bin/sh\necho run >> '" + count + "'\nexec /usr/bin/python3 \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
        try (ExecutionEnvironment shimmed = Exxec.environment("local", Map.of("python", shim.toString()))) {
            for (int i = 0; i < 3; i++) {
                assertThat(shimmed.execute("_result = 1").result()).isEqualTo(1);
            }
        }
        assertThat(Files.readAllLines(count)).hasSize(1); // the probe that found /usr/bin/python3
    }

    @Test
    void aMissingConfiguredInterpreterNamesItsKey() {
        assertThatThrownBy(() -> Exxec.environment("local", Map.of("python", "/nonexistent/python3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/python3")
                .hasMessageContaining("'python'")
                .extracting(e -> ((ConfigException) e).key())
                .isEqualTo("python");
        assertThatThrownBy(() -> Exxec.environment("local", Map.of("node", "/nonexistent/node")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'node'");
        // A file that exists but is no TypeScript runner shows when TypeScript is first used.
        try (ExecutionEnvironment wrong = Exxec.environment("local", Map.of("typescript", "/bin/true"))) {
            assertThatThrownBy(() -> wrong.execute(Code.typescript("let _result = 1")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("tsx, ts-node or deno")
                    .extracting(e -> ((ConfigException) e).key())
                    .isEqualTo("typescript");
        }
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> Exxec.environment("local", Map.of("pyhton", "/usr/bin/python3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'pyhton'")
                .hasMessageContaining("did you mean 'python'");
        assertThatThrownBy(() -> Exxec.environment("local", Map.of("timeout", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'timeout'");
        assertThatThrownBy(() -> Exxec.environment("local", Map.of("cwd", "/nonexistent/dir")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'cwd'");
    }

    @Test
    void aRelativeCwdIsMadeInTheWorkspace() {
        try (ExecutionEnvironment sub = Exxec.environment("local", Map.of("cwd", "project/src"))) {
            String cwd =
                    (String) sub.execute("import os\n_result = os.getcwd()").result();
            assertThat(cwd).isEqualTo(sub.files().workspace() + "/project/src");
            assertThatThrownBy(() -> sub.execute(Code.python("1").withCwd("missing")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not exist");
            // A stream reports the same fault to its reader, as an exception rather than an event.
            try (var events = sub.stream(Code.python("1").withCwd("missing"))) {
                assertThatThrownBy(events::result)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("does not exist");
            }
        }
    }

    /** Only a working directory inside the workspace is made; one that leads out must already exist. */
    @Test
    void aRelativeCwdOutsideTheWorkspaceIsNotMade() {
        String name = "exxec-escape-" + UUID.randomUUID();
        assertThatThrownBy(() -> Exxec.environment("local", Map.of("cwd", "../../" + name)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
        assertThat(Path.of(System.getProperty("java.io.tmpdir"), name)).doesNotExist();
    }

    @Test
    void keepWorkspaceLeavesTheFilesAfterClose() throws Exception {
        Path workspace;
        try (ExecutionEnvironment kept =
                LocalEnvironment.builder().keepWorkspace(true).build()) {
            kept.files().writeString("result.txt", "kept");
            workspace = Path.of(kept.files().workspace());
        }
        try {
            assertThat(Files.readString(workspace.resolve("result.txt"))).isEqualTo("kept");
        } finally {
            dev.exxec.local.internal.Interpreters.deleteTree(workspace.getParent());
        }
    }

    @Test
    void theTypedBuilderTakesTheSameSettings() {
        try (ExecutionEnvironment built = LocalEnvironment.builder()
                .python("/usr/bin/python3")
                .language(Language.JAVASCRIPT)
                .env("A", "b")
                .timeout(Duration.ofSeconds(5))
                .build()) {
            assertThat(built.defaultLanguage()).isEqualTo(Language.JAVASCRIPT);
            assertThat(built.execute("let _result = process.env.A").result()).isEqualTo("b");
        }
    }

    @Test
    void aLanguageWithoutInterpreterSaysHowToGetIt() {
        LocalConfig config = LocalConfig.from(Map.of());
        var found = dev.exxec.local.internal.Interpreters.find(config, "/nonexistent");
        assertThat(found.languages()).isEmpty();
        assertThat(found.describe(Language.PYTHON)).contains("python3").contains("'python'");
        assertThat(found.describe(Language.TYPESCRIPT)).contains("npm install -g tsx");
        try (ExecutionEnvironment any = Exxec.environment("local")) {
            if (!any.capabilities().supports(Language.TYPESCRIPT)) {
                assertThatThrownBy(() -> any.execute(Code.typescript("1")))
                        .isInstanceOf(UnsupportedCapabilityException.class)
                        .hasMessageContaining("tsx");
            }
        }
    }
}
