package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One-shot Python on {@code local} runs in a child forked by the environment's zygote: fresh for
 * every call, a fresh interpreter where a fork would not be one, and a new zygote when it dies.
 */
class LocalZygoteTest {
    private static final String PARENT = "import os\n_result = os.getppid()\n";

    private static long parent(ExecutionEnvironment env, Code code) {
        ExecutionResult r = env.execute(code);
        assertThat(r.success()).as(r.toString()).isTrue();
        return ((Number) r.result()).longValue();
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The zygote's pid, once calls run in its children: until it is ready they run in fresh interpreters. */
    private static long zygote(ExecutionEnvironment env) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            long parent = parent(env, Code.python(PARENT));
            if (commandLine(parent).contains("python_zygote.py")) {
                return parent;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no call ran in a child of a zygote within 20 s");
    }

    @Test
    void theFirstCallDoesNotWaitForTheZygoteAndLaterOnesRunInItsChildren() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            assertThat(parent(env, Code.python(PARENT)))
                    .as("the first call, in a fresh interpreter")
                    .isEqualTo(ProcessHandle.current().pid());
            long zygote = zygote(env);
            assertThat(parent(env, Code.python(PARENT))).as("the same zygote").isEqualTo(zygote);
        }
    }

    @Test
    void nothingACallChangesReachesTheNext() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            zygote(env);
            ExecutionResult first = env.execute(Code.python("""
                    import builtins, json, os, sys
                    builtins.leaked = 1
                    json.leaked = 1
                    sys.path.append("/leaked")
                    os.environ["LEAKED"] = "1"
                    """));
            assertThat(first.success()).as(first.toString()).isTrue();
            ExecutionResult second = env.execute(Code.python("""
                    import builtins, json, os, sys
                    _result = [hasattr(builtins, "leaked"), hasattr(json, "leaked"), "/leaked" in sys.path,
                               "LEAKED" in os.environ]
                    """));
            assertThat(second.result()).as(second.toString()).isEqualTo(java.util.List.of(false, false, false, false));
        }
    }

    @Test
    void eachChildDrawsItsOwnRandomNumbers() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            zygote(env);
            Set<Object> drawn = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                ExecutionResult r = env.execute(
                        Code.python("import random, os\n_result = [random.random(), os.urandom(8).hex()]\n"));
                assertThat(r.success()).as(r.toString()).isTrue();
                drawn.add(r.result());
            }
            assertThat(drawn).hasSize(3);
        }
    }

    @Test
    void aCallsPythonPathReachesTheZygotesChildAfterTheStandardLibrary() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            long zygote = zygote(env);
            Path dir = Files.createTempDirectory("exxec-zygote-test");
            try {
                Files.writeString(dir.resolve("fromthepath.py"), "VALUE = 'found'\n");
                Files.writeString(dir.resolve("json.py"), "raise ImportError('shadowed the standard library')\n");
                Code withPath = Code.python("import os, sys, json, fromthepath\n"
                                + "_result = [os.getppid(), fromthepath.VALUE, sys.path.index(os.environ['PYTHONPATH'])"
                                + " > sys.path.index(os.path.dirname(os.__file__))]\n")
                        .withEnv(Map.of("PYTHONPATH", dir.toString()));
                ExecutionResult r = env.execute(withPath);
                assertThat(r.success()).as(r.toString()).isTrue();
                java.util.List<?> got = (java.util.List<?>) r.result();
                assertThat(got.get(1)).isEqualTo("found");
                assertThat(got.get(2))
                        .as("PYTHONPATH after the standard library")
                        .isEqualTo(true);
                assertThat(((Number) got.get(0)).longValue())
                        .as("the interpreter ignores PYTHON* variables (isolated), so the zygote's child serves it")
                        .isEqualTo(zygote);
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void theLocaleReadAtTheStartGetsAFreshInterpreter() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            long zygote = zygote(env);
            assertThat(parent(env, Code.python(PARENT).withEnv(Map.of("LC_ALL", "C"))))
                    .as("not the zygote's child")
                    .isNotEqualTo(zygote);
        }
    }

    @Test
    void aKilledZygoteIsReplaced() throws Exception {
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of())) {
            long zygote = zygote(env);
            ProcessHandle handle = ProcessHandle.of(zygote).orElseThrow();
            handle.destroyForcibly();
            handle.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            ExecutionResult r = env.execute(Code.python("_result = 6 * 7\n"));
            assertThat(r.result()).as(r.toString()).isEqualTo(42);
            assertThat(zygote(env)).as("a new zygote").isNotEqualTo(zygote);
        }
    }

    @Test
    void closingTheEnvironmentEndsTheZygoteAndItsChildren() throws Exception {
        ExecutionEnvironment env = Exxec.environment("local", Map.of());
        long zygote = zygote(env);
        var running = env.submit(Code.python("import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(300)\n"));
        long child = 0;
        for (int i = 0; i < 200 && child == 0; i++) {
            child = ProcessHandle.of(zygote)
                    .orElseThrow()
                    .children()
                    .mapToLong(ProcessHandle::pid)
                    .findFirst()
                    .orElse(0);
            Thread.sleep(10);
        }
        assertThat(child).as("the sleeping call's child").isPositive();
        env.close();
        assertThat(ProcessHandle.of(zygote).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        long gone = child;
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(gone).map(ProcessHandle::isAlive).orElse(false) == false);
        running.cancel(true);
    }

    /**
     * {@code zygote=false} (what a one-shot command line run sets): every call in a fresh interpreter,
     * and no zygote is started, however long the environment lives.
     */
    @Test
    void withZygoteOffEveryCallRunsInAFreshInterpreterAndNoZygoteStarts() throws Exception {
        for (ExecutionEnvironment env : java.util.List.of(
                Exxec.environment("local", Map.of("zygote", "false")),
                LocalEnvironment.builder().zygote(false).build())) {
            try (env) {
                for (int i = 0; i < 8; i++) {
                    assertThat(parent(env, Code.python(PARENT)))
                            .as("call %d, in a fresh interpreter", i)
                            .isEqualTo(ProcessHandle.current().pid());
                    Thread.sleep(100); // time a zygote would have had to start
                }
                assertThat(ProcessHandle.current()
                                .descendants()
                                .map(p -> commandLine(p.pid()))
                                .filter(c -> c.contains("python_zygote.py")))
                        .as("no zygote")
                        .isEmpty();
            }
        }
    }
}
