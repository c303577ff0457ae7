package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.exxec.BackgroundProcess;
import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.Terminal;
import dev.exxec.TerminalSize;
import dev.exxec.WorkspaceFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle: {@code close()} is idempotent, calls afterwards throw {@link IllegalStateException}, and
 * afterwards nothing the environment started is alive and its workspace is gone. Every test makes
 * its own environment.
 */
abstract class LifecycleContract extends KitArea {
    private static final Duration WAIT = Duration.ofSeconds(10);

    LifecycleContract(EnvironmentFactory factory) {
        super(factory);
    }

    @Test
    void describesItself() {
        ExecutionEnvironment env = newEnv(Map.of());
        assertThat(env.id()).isNotBlank();
        assertThat(env.isClosed()).isFalse();
        assertThat(env.providerId())
                .isEqualTo(Exxec.provider(factory().providerId()).id());
        Capabilities caps = env.capabilities();
        assertThat(caps.languages().isEmpty() && !caps.commands())
                .as("it runs something")
                .isFalse();
        assertThat(caps.supports(env.defaultLanguage()) || caps.languages().isEmpty())
                .as("the default language %s is declared", env.defaultLanguage())
                .isTrue();
        ExecutionEnvironment other = newEnv(Map.of());
        assertThat(other.id()).isNotEqualTo(env.id());
    }

    @Test
    void closeIsIdempotent() {
        ExecutionEnvironment env = newEnv(Map.of());
        env.close();
        assertThat(env.isClosed()).isTrue();
        env.close();
        assertThat(env.isClosed()).isTrue();
    }

    @Test
    void callsAfterCloseThrowIllegalState() {
        ExecutionEnvironment env = newEnv(Map.of());
        Capabilities caps = env.capabilities();
        Optional<WorkspaceFiles> files = caps.files() ? Optional.of(env.files()) : Optional.empty();
        env.close();
        List<ThrowingCallable> calls = new ArrayList<>(List.of(
                () -> env.execute("x = 1"),
                () -> env.execute(Code.of(env.defaultLanguage(), "x = 1")),
                () -> env.stream(Code.of(env.defaultLanguage(), "x = 1")).close(),
                () -> env.executeCommand("true"),
                () -> env.streamCommand("true").close(),
                () -> env.files().exists("x"),
                () -> env.processes().start("true"),
                () -> env.terminals().open(TerminalSize.of(80, 24)),
                () -> env.session(env.defaultLanguage())));
        files.ifPresent(f -> calls.add(() -> f.exists("x")));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void environmentsDoNotShareWorkspaces() {
        ExecutionEnvironment a = newEnv(Map.of());
        ExecutionEnvironment b = newEnv(Map.of());
        org.junit.jupiter.api.Assumptions.assumeTrue(
                a.capabilities().files(), "the environment does not declare files");
        a.files().writeString("lifecycle-only-in-a.txt", "a");
        assertThat(b.files().exists("lifecycle-only-in-a.txt")).isFalse();
    }

    @Test
    void closeLeavesNoProcessAndNoWorkspace() throws InterruptedException {
        HostProbe probe = probe();
        ExecutionEnvironment env = newEnv(Map.of());
        Capabilities caps = env.capabilities();
        List<ProcessRef> pids = new ArrayList<>();
        List<EventStream> streams = new ArrayList<>();
        // Where the probe's machine holds the workspace: a sandbox shows the code its own path (for
        // example /workspace), which on the host is some other directory.
        String workspace = caps.files()
                ? probe.workspace(env)
                        .or(() -> HostSide.locateWorkspace(env).map(Path::toString))
                        .orElse(env.files().workspace())
                : null;
        if (workspace != null) {
            env.files().writeString("lifecycle/file.txt", "something to remove");
            assertThat(probe.exists(workspace))
                    .as("the probe sees the workspace %s before close, or its absence after proves nothing", workspace)
                    .isTrue();
        }
        if (caps.processes()) {
            BackgroundProcess p = env.processes()
                    .start(Outcomes.SH_NS + "sleep 300 & echo pid:child=$ns:$!; echo pid:shell=$ns:$$; wait");
            await().atMost(WAIT).until(() -> Outcomes.pids(p.output().stdout()).size() == 2);
            pids.addAll(Outcomes.pids(p.output().stdout()).values());
        }
        if (caps.terminals()) {
            Terminal t = env.terminals().open(TerminalSize.of(80, 24));
            t.write(Outcomes.SH_NS + "printf 'pid:%s=%s:%s\\n' terminal \"$ns\" $$\n");
            String shown = t.readUntil("pid:terminal=", WAIT) + t.readUntil("\n", WAIT);
            pids.addAll(Outcomes.pids(shown.replace("\r\n", "\n")).values());
        }
        if (caps.commands() && caps.streaming()) {
            EventStream s = env.streamCommand(
                    Outcomes.SH_NS + "sleep 300 & echo pid:stream-child=$ns:$!; echo pid:stream=$ns:$$; wait");
            streams.add(s);
            pids.addAll(pidsOf(s, 2));
        }
        if (caps.supports(Language.PYTHON) && caps.streaming() && factory().codeRunsInOwnProcess()) {
            EventStream s = env.stream(Code.python(
                    Outcomes.PY_PID_REF + "import time\nprint('pid:code=' + pid_ref(os.getpid()))\ntime.sleep(300)\n"));
            streams.add(s);
            pids.addAll(pidsOf(s, 1));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                !pids.isEmpty() || workspace != null, "the environment starts nothing the probe could check");

        long start = System.nanoTime();
        env.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("close() takes")
                .isLessThan(WAIT);
        if (!pids.isEmpty()) {
            Outcomes.awaitGone(probe, pids, Duration.ofSeconds(3));
        }
        if (workspace != null) {
            assertThat(probe.exists(workspace))
                    .as("the workspace %s after close", workspace)
                    .isFalse();
        }
        for (EventStream s : streams) {
            s.close();
        }
    }

    @Test
    void closeEndsRunningCalls() throws InterruptedException {
        ExecutionEnvironment env = newEnv(Map.of());
        org.junit.jupiter.api.Assumptions.assumeTrue(
                env.capabilities().commands() && env.capabilities().streaming(),
                "needs streamed commands to see the call start");
        try (EventStream s = env.streamCommand("echo started; sleep 300")) {
            StringBuilder out = new StringBuilder();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!out.toString().contains("started") && System.nanoTime() < deadline) {
                s.next(Duration.ofMillis(100)).ifPresent(e -> {
                    if (e instanceof ExecutionEvent.Output o) {
                        out.append(o.text());
                    }
                });
            }
            assertThat(out.toString()).contains("started");
            env.close();
            ExecutionEvent last = null;
            deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                Optional<ExecutionEvent> e = s.next(Duration.ofMillis(100));
                if (e.isPresent() && e.get().isTerminal()) {
                    last = e.get();
                    break;
                }
            }
            assertThat(last)
                    .as("the running call ends with a terminal event after close()")
                    .isNotNull();
            assertThat(last).isInstanceOf(ExecutionEvent.Failed.class);
        }
    }

    private static List<ProcessRef> pidsOf(EventStream s, int count) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExecutionEvent> e = s.next(Duration.ofMillis(100));
            if (e.isPresent() && e.get() instanceof ExecutionEvent.Output o) {
                out.append(o.text());
                if (Outcomes.pids(out.toString()).size() >= count) {
                    return new ArrayList<>(Outcomes.pids(out.toString()).values());
                }
            }
        }
        throw new AssertionError("no " + count + " pids within " + WAIT + ": " + out);
    }
}
