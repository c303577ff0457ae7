package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.failedWith;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Deadlines: a call's own timeout or the environment's default ends it with {@code TimeoutError}
 * within a second of the deadline and kills everything it started; thread interruption and {@code
 * Future.cancel(true)} kill the same way.
 */
abstract class DeadlineContract extends KitArea {
    /** The deadline plus this is the longest a timed-out call may take (the contract says one second). */
    private static final Duration SLACK = Duration.ofSeconds(1);

    DeadlineContract(EnvironmentFactory factory) {
        super(factory);
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    @Test
    void busyLoopEndsWithTimeoutError() {
        assumeLanguage(Language.PYTHON);
        Duration timeout = Duration.ofSeconds(2);
        long start = System.nanoTime();
        ExecutionResult r = env().execute(Code.python("while True:\n    pass\n").withTimeout(timeout));
        Duration took = since(start);
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(took)
                .as("the call ends within a second of its deadline: %s", describe(r))
                .isLessThan(timeout.plus(SLACK));
        assertThat(took).as("the deadline is not cut short").isGreaterThanOrEqualTo(timeout.minusMillis(100));
        assertThat(r.exitCode()).as(describe(r)).isNotZero();
    }

    /**
     * Big-integer arithmetic is one long library call that an in-process runtime cannot interrupt
     * (GraalVM stops guest code only at safepoints; {@code 7 ** 20000000} is seconds of {@code
     * BigInteger.pow} there, and of CPython's multiplication): the call still ends at its deadline,
     * and the environment serves the next call as fast as before it.
     */
    @Test
    void uninterruptibleArithmeticEndsAtItsDeadlineAndTheNextCallIsServed() {
        assumeLanguage(Language.PYTHON);
        Code trivial = Code.python("_result = 6 * 7\n");
        long start = System.nanoTime();
        succeeded(env().execute(trivial));
        Duration usual = since(start);
        Duration timeout = Duration.ofSeconds(2);
        start = System.nanoTime();
        ExecutionResult r = env().execute(Code.python("x = 7 ** 20000000\n").withTimeout(timeout));
        Duration took = since(start);
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(took)
                .as("the call ends within a second of its deadline: %s", describe(r))
                .isLessThan(timeout.plus(SLACK));
        start = System.nanoTime();
        ExecutionResult next = succeeded(env().execute(trivial));
        assertThat(next.result()).isEqualTo(42);
        assertThat(since(start))
                .as("the next call takes at most a second more than the one before the deadline (%s)", usual)
                .isLessThan(usual.plus(SLACK));
    }

    @Test
    void timeoutKillsChildrenAndGrandchildren() {
        assumeLanguage(Language.PYTHON);
        assumeOwnProcess();
        HostProbe probe = probe();
        ExecutionResult r = env().execute(Code.python(Outcomes.PY_PID_REF + """
                        import subprocess
                        child = subprocess.Popen(["sh", "-c", "sleep 300 & echo $!; wait"], stdout=subprocess.PIPE, text=True)
                        grandchild = int(child.stdout.readline().strip())
                        print("pid:self=" + pid_ref(os.getpid()))
                        print("pid:child=" + pid_ref(child.pid))
                        print("pid:grandchild=" + pid_ref(grandchild), flush=True)
                        while True:
                            pass
                        """).withTimeout(Duration.ofSeconds(2)));
        failedWith(r, ErrorTypes.TIMEOUT);
        Map<String, ProcessRef> pids = Outcomes.pids(r.stdout());
        assertThat(pids)
                .as("the program printed its pids before the deadline: %s", describe(r))
                .hasSize(3);
        Outcomes.awaitGone(probe, pids.values(), SLACK);
    }

    @Test
    void commandTimeoutKillsItsTree() {
        assumeCommands();
        HostProbe probe = probe();
        Duration timeout = Duration.ofSeconds(1);
        long start = System.nanoTime();
        ExecutionResult r = env().executeCommand(Command.of(
                        Outcomes.SH_NS + "sleep 300 & echo pid:background=$ns:$!; echo pid:shell=$ns:$$; sleep 300")
                .withTimeout(timeout));
        Duration took = since(start);
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(took).as(describe(r)).isLessThan(timeout.plus(SLACK));
        Map<String, ProcessRef> pids = Outcomes.pids(r.stdout());
        assertThat(pids).as(describe(r)).hasSize(2);
        Outcomes.awaitGone(probe, pids.values(), SLACK);
    }

    @Test
    void environmentDefaultTimeoutComesFromConfig() {
        assumeCommands();
        ExecutionEnvironment env = newEnv(Map.of("timeout", "1"));
        long start = System.nanoTime();
        ExecutionResult r = env.executeCommand("sleep 30");
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(since(start))
                .as(describe(r))
                .isLessThan(Duration.ofSeconds(1).plus(SLACK));
    }

    @Test
    void environmentDefaultTimeoutAppliesToCode() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("timeout", "1"));
        long start = System.nanoTime();
        ExecutionResult r = env.execute(Code.python("import time\ntime.sleep(30)\n"));
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(since(start))
                .as(describe(r))
                .isLessThan(Duration.ofSeconds(1).plus(SLACK));
    }

    @Test
    void ownTimeoutOverridesTheDefaultAndZeroMeansNone() {
        assumeCommands();
        ExecutionEnvironment env = newEnv(Map.of("timeout", "1"));
        ExecutionResult r =
                env.executeCommand(Command.of("sleep 1.5; echo done").withTimeout(Duration.ZERO));
        succeeded(r);
        assertThat(r.stdout()).isEqualTo("done\n");
        ExecutionResult longer =
                env.executeCommand(Command.of("sleep 1.5; echo done").withTimeout(Duration.ofSeconds(10)));
        succeeded(longer);
    }

    @Test
    void outputBeforeTheDeadlineIsKept() {
        assumeCommands();
        ExecutionResult r = env().executeCommand(
                        Command.of("echo before; echo err >&2; sleep 30").withTimeout(Duration.ofSeconds(1)));
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(r.stdout()).as(describe(r)).isEqualTo("before\n");
        assertThat(r.stderr()).as(describe(r)).isEqualTo("err\n");
    }

    @Test
    void interruptingTheCallerKillsAndThrowsCancelled() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeOwnProcess();
        String pidFile = "deadline-" + UUID.randomUUID() + ".pids";
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<ExecutionResult> returned = new AtomicReference<>();
        AtomicBoolean interruptFlag = new AtomicBoolean();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                returned.set(env().execute(sleeperWritingPids(pidFile)));
            } catch (Throwable e) {
                thrown.set(e);
                interruptFlag.set(Thread.currentThread().isInterrupted());
            }
        });
        List<ProcessRef> pids = awaitPidFile(pidFile);
        long start = System.nanoTime();
        caller.interrupt();
        caller.join(Duration.ofSeconds(5));
        assertThat(caller.isAlive()).as("the interrupted call returns").isFalse();
        assertThat(since(start)).isLessThan(Duration.ofSeconds(3));
        assertThat(returned.get()).as("no result after an interrupt").isNull();
        assertThat(thrown.get()).isInstanceOf(ExecutionCancelledException.class);
        assertThat(interruptFlag.get()).as("the interrupt flag is set again").isTrue();
        checkGone(pids);
    }

    @Test
    void cancellingTheFutureKills() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeOwnProcess();
        String pidFile = "deadline-" + UUID.randomUUID() + ".pids";
        Future<ExecutionResult> future = env().submit(sleeperWritingPids(pidFile));
        List<ProcessRef> pids = awaitPidFile(pidFile);
        assertThat(future.cancel(true)).isTrue();
        assertThat(future.isCancelled()).isTrue();
        checkGone(pids);
    }

    /**
     * Python that starts a child, writes itself and it as {@link ProcessRef}s to a file in its working
     * directory, and sleeps.
     */
    private static Code sleeperWritingPids(String file) {
        return Code.python(Outcomes.PY_PID_REF + """
                import subprocess, time
                child = subprocess.Popen(["sleep", "300"])
                with open("%1$s.tmp", "w") as f:
                    f.write(pid_ref(os.getpid()) + " " + pid_ref(child.pid))
                os.replace("%1$s.tmp", "%1$s")
                time.sleep(300)
                """.formatted(file));
    }

    /**
     * The pids the sleeper wrote, once the file is there; without file access, waits a moment and
     * returns none (the kill is then checked only by the call's end).
     */
    private List<ProcessRef> awaitPidFile(String file) throws InterruptedException {
        List<ProcessRef> pids = new ArrayList<>();
        if (!caps().files()) {
            Thread.sleep(1500); // no way to see the program start: give it time to
            return pids;
        }
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> env().files().exists(file));
        for (String pid : env().files().readString(file).trim().split(" ")) {
            pids.add(ProcessRef.parse(pid));
        }
        env().files().delete(file);
        return pids;
    }

    private void checkGone(List<ProcessRef> pids) {
        if (!pids.isEmpty()) {
            factory().probe().ifPresent(probe -> Outcomes.awaitGone(probe, pids, Duration.ofSeconds(3)));
        }
    }
}
