package dev.exxec.graalvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ConfigException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.NetworkAccess;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.graalvm.internal.Polyglot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The graalvm provider's own promises: deny by default, deadlines that stop in-JVM loops, sessions,
 * the message for a missing language, configuration errors. One environment serves most tests: a
 * GraalPy context is slow to make first (seconds in the fallback runtime), fast on the shared engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class GraalvmEnvironmentTest {
    private ExecutionEnvironment env;

    @BeforeAll
    void start() {
        env = Exxec.environment("inprocess", Map.of());
    }

    @AfterAll
    void stop() {
        env.close();
    }

    private static String describe(ExecutionResult r) {
        return "success=" + r.success() + " errorType=" + r.errorType() + " error=" + r.error() + " result="
                + r.result() + " stdout=" + r.stdout() + " stderr=" + r.stderr();
    }

    private ExecutionResult failed(Code code) {
        ExecutionResult r = env.execute(code);
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.errorType()).as(describe(r)).isNotBlank();
        assertThat(r.error()).as(describe(r)).isNotBlank();
        return r;
    }

    @Test
    void declaresNoIsolationNoNetworkAndBothLanguages() {
        assertThat(env.providerId()).isEqualTo("graalvm");
        assertThat(env.capabilities().isolation()).isEqualTo(Isolation.NONE);
        assertThat(env.capabilities().network()).isEqualTo(NetworkAccess.NONE);
        assertThat(env.capabilities().languages()).containsExactlyInAnyOrder(Language.PYTHON, Language.JAVASCRIPT);
        assertThat(env.capabilities().commands()).isFalse();
        assertThat(env.capabilities().processes()).isFalse();
        assertThat(env.capabilities().terminals()).isFalse();
        assertThat(env.capabilities().sessions()).isTrue();
    }

    @Test
    void pythonCannotReadAHostFile() {
        ExecutionResult r = failed(Code.python("_result = open('/etc/hostname').read()\n"));
        assertThat(r.errorType()).as(describe(r)).isEqualTo("PermissionError");
    }

    /**
     * The JVM's environment is out of the guest's reach (docs/security.md, "host secrets"): {@code
     * os.environ} holds none of it, and {@code /proc/self/environ}, which in this provider would be
     * the JVM's own, cannot be opened, neither by default nor with workspace file access.
     */
    @Test
    void pythonCannotReadTheJvmsEnvironment() {
        Map.Entry<String, String> host = System.getenv().entrySet().stream()
                .filter(e -> e.getValue().length() >= 4)
                .findFirst()
                .orElseThrow(() -> new AssertionError("this JVM has no environment variable to look for"));
        String program = """
                import os
                seen = [k for k, v in os.environ.items() if k == %s or v == %s]
                try:
                    with open("/proc/self/environ", "rb") as f:
                        proc = "read %%d bytes" %% len(f.read())
                except OSError as e:
                    proc = type(e).__name__
                _result = {"seen": seen, "proc": proc}
                """.formatted(pyString(host.getKey()), pyString(host.getValue()));
        // A first GraalPy context takes seconds to build on a busy machine: more than the default deadline.
        Code code = Code.python(program).withTimeout(java.time.Duration.ofSeconds(50));
        ExecutionResult none = env.execute(code);
        assertThat(none.result())
                .as("without file access: %s", describe(none))
                .isEqualTo(Map.of("seen", List.of(), "proc", "PermissionError"));
        try (ExecutionEnvironment workspace = Exxec.environment("graalvm", Map.of("fileAccess", "workspace"))) {
            ExecutionResult r = workspace.execute(code);
            assertThat(r.result())
                    .as("with workspace file access: %s", describe(r))
                    .isEqualTo(Map.of("seen", List.of(), "proc", "PermissionError"));
        }
    }

    private static String pyString(String s) {
        return "bytes.fromhex('"
                + java.util.HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "').decode('utf-8', 'surrogateescape')";
    }

    @Test
    void pythonCannotWriteEvenInTheWorkspaceByDefault() {
        ExecutionResult r = failed(Code.python("open('x.txt', 'w').write('x')\n"));
        assertThat(r.errorType()).as(describe(r)).isEqualTo("PermissionError");
    }

    @Test
    void pythonCannotOpenASocket() {
        ExecutionResult r = failed(Code.python("import socket\nsocket.create_connection(('127.0.0.1', 22), 1)\n"));
        assertThat(r.errorType()).as(describe(r)).isEqualTo("PermissionError");
        assertThat(r.error()).as(describe(r)).contains("not allowed in the graalvm provider");
    }

    @Test
    void pythonCannotStartAProcess() {
        ExecutionResult r = failed(Code.python("import subprocess\nsubprocess.run(['true'])\n"));
        assertThat(r.errorType()).as(describe(r)).isEqualTo("PermissionError");
        ExecutionResult system = failed(Code.python("import os\nos.system('true')\n"));
        assertThat(system.error()).as(describe(system)).contains("Process creation is not allowed");
    }

    @Test
    void pythonCannotLoadAHostClass() {
        ExecutionResult r = failed(Code.python("import java\n_result = java.type('java.io.File')\n"));
        assertThat(r.error()).as(describe(r)).contains("access has been denied");
        ExecutionResult polyglot = failed(Code.python("import polyglot\npolyglot.eval(language='js', string='1')\n"));
        assertThat(polyglot.error()).as(describe(polyglot)).contains("polyglot access is not allowed");
    }

    @Test
    void javaScriptCannotLoadAHostClass() {
        ExecutionResult r = failed(Code.javascript("let _result = Java.type('java.io.File');\n"));
        assertThat(r.errorType()).as(describe(r)).isEqualTo("ReferenceError");
        ExecutionResult polyglot = failed(Code.javascript("let _result = Polyglot.eval('python', '1');\n"));
        assertThat(polyglot.errorType()).as(describe(polyglot)).isEqualTo("ReferenceError");
    }

    @Test
    void javaScriptHasNoFileNetworkOrProcessModules() {
        for (String module : new String[] {"child_process", "net", "http"}) {
            ExecutionResult r = failed(Code.javascript("require('" + module + "');\n"));
            assertThat(r.errorType()).as(describe(r)).isEqualTo("Error");
            assertThat(r.error()).as(describe(r)).contains("is not available");
        }
        ExecutionResult file = failed(Code.javascript("require('fs').readFileSync('/etc/hostname', 'utf8');\n"));
        assertThat(file.error()).as(describe(file)).contains("is not available");
        ExecutionResult load = failed(Code.javascript("load('/etc/hostname');\n"));
        assertThat(load.errorType()).as(describe(load)).isEqualTo("ReferenceError");
    }

    @Test
    void workspaceFileAccessStaysInTheWorkspace() throws Exception {
        try (ExecutionEnvironment files = Exxec.environment("graalvm", Map.of("fileAccess", "workspace"))) {
            Path outside = Files.createTempFile("exxec-graalvm-outside", ".txt");
            try {
                Files.writeString(outside, "secret");
                files.files().writeString("in.txt", "inside");
                ExecutionResult inside = files.execute(Code.python("_result = open('in.txt').read()\n"));
                assertThat(inside.result()).as(describe(inside)).isEqualTo("inside");
                ExecutionResult absolute =
                        files.execute(Code.python("_result = open(%s).read()\n".formatted(quoted(outside))));
                assertThat(absolute.errorType()).as(describe(absolute)).isEqualTo("PermissionError");
                ExecutionResult climb = files.execute(
                        Code.python("_result = open('../' + %s).read()\n".formatted(quoted(outside.getFileName()))));
                assertThat(climb.errorType()).as(describe(climb)).isEqualTo("PermissionError");
                ExecutionResult link =
                        files.execute(Code.python("import os\nos.symlink(%s, 'link')\n_result = open('link').read()\n"
                                .formatted(quoted(outside))));
                assertThat(link.success()).as(describe(link)).isFalse();
                assertThat(link.errorType()).as(describe(link)).isEqualTo("PermissionError");
            } finally {
                Files.deleteIfExists(outside);
            }
        }
    }

    private static String quoted(Object path) {
        return "'" + path.toString().replace("'", "\\'") + "'";
    }

    @Test
    void pythonInfiniteLoopEndsAsTimeoutWithinTwoSecondsAndTheEnvironmentGoesOn() {
        long start = System.nanoTime();
        ExecutionResult r = env.execute(Code.python("while True:\n    pass\n").withTimeout(Duration.ofSeconds(1)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(env.execute(Code.python("_result = 6 * 7\n")).result()).isEqualTo(42);
    }

    @Test
    void javaScriptInfiniteLoopEndsAsTimeoutWithinTwoSecondsAndTheEnvironmentGoesOn() {
        long start = System.nanoTime();
        ExecutionResult r = env.execute(Code.javascript("for (;;) {}\n").withTimeout(Duration.ofSeconds(1)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(env.execute(Code.javascript("let _result = 6 * 7;\n")).result())
                .isEqualTo(42);
    }

    @Test
    void javaScriptPendingTimerEndsAsTimeout() {
        ExecutionResult r =
                env.execute(Code.javascript("setInterval(() => {}, 10);\n").withTimeout(Duration.ofMillis(500)));
        assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
    }

    @Test
    void javaScriptOnThePlatformCallersThreadIsCancelledByAnInterrupt() throws InterruptedException {
        // JavaScript called from a platform thread runs on that thread: its interrupt must still kill.
        for (String program : new String[] {"for (;;) {}\n", "setTimeout(() => {}, 60000);\n"}) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flag = new AtomicBoolean();
            CountDownLatch calling = new CountDownLatch(1);
            Thread caller = Thread.ofPlatform().start(() -> {
                calling.countDown();
                try {
                    env.execute(Code.javascript(program).withTimeout(Duration.ofSeconds(30)));
                } catch (Throwable e) {
                    thrown.set(e);
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            calling.await();
            Thread.sleep(300);
            long start = System.nanoTime();
            caller.interrupt();
            caller.join(Duration.ofSeconds(5));
            assertThat(caller.isAlive()).as(program).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(thrown.get()).as(program).isInstanceOf(ExecutionCancelledException.class);
            assertThat(flag.get()).as("the interrupt flag is set again").isTrue();
        }
        assertThat(env.execute(Code.javascript("let _result = 6 * 7;\n")).result())
                .isEqualTo(42);
    }

    @Test
    void javaScriptBeyondTheOutputLimitIsStoppedWhenTheSettingsSaySo() {
        try (ExecutionEnvironment limited =
                Exxec.environment("graalvm", Map.of("outputLimit", 1000, "stopOnOutputLimit", true))) {
            ExecutionResult r = limited.execute(Code.javascript("for (;;) { console.log('x'.repeat(100)); }\n")
                    .withTimeout(Duration.ofSeconds(20)));
            assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.OUTPUT_LIMIT);
            assertThat(r.stdoutTruncated()).isTrue();
            assertThat(r.stdout()).hasSizeLessThanOrEqualTo(1000);
        }
    }

    @Test
    void closingTheEnvironmentStopsAJavaScriptCallOnItsCallersThread() throws InterruptedException {
        ExecutionEnvironment closing = Exxec.environment("graalvm", Map.of());
        assertThat(closing.execute(Code.javascript("let _result = 1;\n")).result())
                .isEqualTo(1);
        AtomicReference<ExecutionResult> result = new AtomicReference<>();
        Thread caller = Thread.ofPlatform()
                .start(() -> result.set(
                        closing.execute(Code.javascript("for (;;) {}\n").withTimeout(Duration.ofSeconds(30)))));
        Thread.sleep(300);
        closing.close();
        caller.join(Duration.ofSeconds(5));
        assertThat(caller.isAlive()).isFalse();
        assertThat(result.get().errorType()).as(describe(result.get())).isEqualTo(ErrorTypes.CANCELLED);
        assertThat(result.get().error()).contains("was closed during the execution");
    }

    @Test
    void outputIsStreamedAsEvents() {
        try (var events = env.stream(Code.javascript("console.log('a'); console.error('b'); let _result = 1;\n"))) {
            ExecutionResult r = events.result();
            assertThat(r.stdout()).isEqualTo("a\n");
            assertThat(r.stderr()).isEqualTo("b\n");
        }
    }

    @Test
    void everyCallGetsAFreshContextAlsoFromTheSpares() {
        for (int i = 0; i < 3; i++) {
            ExecutionResult py =
                    env.execute(Code.python("import sys\n_result = hasattr(sys, 'exxec_leak')\nsys.exxec_leak = 1\n"));
            assertThat(py.result()).as(describe(py)).isEqualTo(false);
            ExecutionResult js =
                    env.execute(Code.javascript("let _result = typeof leak === 'undefined';\nglobalThis.leak = 1;\n"));
            assertThat(js.result()).as(describe(js)).isEqualTo(true);
        }
    }

    @Test
    void withoutSpareContextsEachCallBuildsItsOwn() {
        try (ExecutionEnvironment noSpares = Exxec.environment("graalvm", Map.of("spareContexts", 0))) {
            ExecutionResult r = noSpares.execute(Code.javascript("let _result = process.env.HOME;\n"));
            assertThat(r.result()).as(describe(r)).isEqualTo(noSpares.files().workspace());
        }
    }

    @Test
    void commandsAreRefusedWithoutADelegate() {
        assertThatThrownBy(() -> env.executeCommand("echo hi"))
                .isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessageContaining("shell commands");
    }

    @Test
    void commandsRunThroughTheConfiguredProviderInTheWorkspace() {
        try (ExecutionEnvironment withCommands = Exxec.environment("graalvm", Map.of("commands", "local"))) {
            assertThat(withCommands.capabilities().commands()).isTrue();
            withCommands.files().writeString("here.txt", "found");
            ExecutionResult r = withCommands.executeCommand("cat here.txt");
            assertThat(r.success()).as(describe(r)).isTrue();
            assertThat(r.stdout()).isEqualTo("found");
        }
    }

    @Test
    void typeScriptIsRefusedWithTheReason() {
        assertThatThrownBy(() -> env.execute(Code.typescript("let x: number = 1;")))
                .isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessageContaining("no TypeScript");
    }

    @Test
    void aMissingLanguageNamesTheArtifactToAdd() {
        assertThat(Polyglot.missing(Language.PYTHON, Set.of(Language.JAVASCRIPT)))
                .contains("org.graalvm.polyglot:python-community:" + Polyglot.GRAALVM_VERSION)
                .contains("type pom");
        assertThat(Polyglot.missing(Language.JAVASCRIPT, Set.of(Language.PYTHON)))
                .contains("org.graalvm.polyglot:js-community:" + Polyglot.GRAALVM_VERSION);
        assertThat(Polyglot.missing(Language.PYTHON, Set.of(Language.PYTHON))).isNull();
        // Both are on this class path, so both are found.
        assertThat(Polyglot.installed(getClass().getClassLoader()))
                .containsExactlyInAnyOrder(Language.PYTHON, Language.JAVASCRIPT);
        assertThat(Polyglot.installed(new ClassLoader(null) {})).isEmpty();
    }

    @Test
    void pythonSessionKeepsItsGlobalsAndLosesThemAtADeadline() {
        try (CodeSession session = env.session(Language.PYTHON)) {
            assertThat(session.execute("counter = 1\n").success()).isTrue();
            ExecutionResult second = session.execute("counter += 1\n_result = counter\n");
            assertThat(second.result()).as(describe(second)).isEqualTo(2);
            ExecutionResult loop =
                    session.execute(Code.python("while True:\n    pass\n").withTimeout(Duration.ofSeconds(1)));
            assertThat(loop.errorType()).as(describe(loop)).isEqualTo(ErrorTypes.TIMEOUT);
            assertThat(loop.error()).contains("state").contains("lost");
            ExecutionResult after = session.execute("_result = 'counter' in globals()\n");
            assertThat(after.result()).as(describe(after)).isEqualTo(false);
        }
    }

    @Test
    void javaScriptSessionKeepsItsGlobals() {
        try (CodeSession session = env.session(Language.JAVASCRIPT)) {
            assertThat(session.execute("var counter = 1;\n").success()).isTrue();
            ExecutionResult second = session.execute("counter += 1; function main() { return counter; }\n");
            assertThat(second.result()).as(describe(second)).isEqualTo(2);
            assertThatThrownBy(() -> session.execute(Code.python("x = 1")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void configurationErrorsNameTheKey() {
        assertThatThrownBy(() -> Exxec.environment("graalvm", Map.of("image", "x")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("image"));
        assertThatThrownBy(() -> Exxec.environment("graalvm", Map.of("threads", 0)))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("threads"));
        assertThatThrownBy(() -> Exxec.environment("graalvm", Map.of("fileAccess", "everything")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("fileAccess"));
        assertThatThrownBy(() -> Exxec.environment("graalvm", Map.of("inheritEnv", true)))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("inheritEnv"));
        assertThatThrownBy(() -> Exxec.environment("graalvm", Map.of("spareContexts", -1)))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("spareContexts"));
        assertThatThrownBy(() -> Exxec.environment("graalvm", Map.of("commands", "inprocess")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("commands"));
    }
}
