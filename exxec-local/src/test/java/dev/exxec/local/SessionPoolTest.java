package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.pool.PoolExhaustedException;
import dev.exxec.pool.SessionPool;
import dev.exxec.pool.SessionPool.Lease;
import dev.exxec.pool.SessionPool.Reset;
import dev.exxec.pool.WhenExhausted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session pool, on real Python and Node.js interpreters of a {@code local} environment. */
class SessionPoolTest {
    private ExecutionEnvironment env;
    private Path workspace;

    @BeforeEach
    void environment() {
        env = LocalEnvironment.builder()
                .python("/usr/bin/python3")
                .node("/usr/bin/node")
                .build();
        workspace = Path.of(env.files().workspace());
    }

    @AfterEach
    void close() {
        env.close();
    }

    private SessionPool.Builder python() {
        return SessionPool.builder(env, Language.PYTHON);
    }

    /** The session interpreters of this test's environment that run now: those whose directory is its workspace. */
    private List<ProcessHandle> interpreters() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("_session."))
                .filter(p -> workspace.equals(cwd(p)))
                .toList();
    }

    private static Path cwd(ProcessHandle p) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        } catch (IOException e) {
            return Path.of("/proc/gone"); // it ended meanwhile
        }
    }

    private void noInterpreterLeft() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(interpreters())
                        .as("interpreters left running")
                        .isEmpty());
    }

    private static String idOfALease(SessionPool pool) {
        try (Lease lease = pool.acquire(Duration.ofSeconds(10))) {
            return lease.session().id();
        }
    }

    @Test
    void minIdleSessionsWaitWithTheirInterpreterRunning() {
        try (SessionPool pool = python().minIdle(3).maxSize(4).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 3);
            assertThat(interpreters()).as("started ahead of need").hasSize(3);
            try (Lease lease = pool.acquire()) {
                assertThat(lease.session().execute("_result = 6 * 7").result()).isEqualTo(42);
                await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 3);
                assertThat(pool.stats().size()).isEqualTo(4);
                assertThat(interpreters()).hasSize(4);
            }
        }
        noInterpreterLeft();
    }

    @Test
    void byDefaultNoHolderSeesAnotherHoldersGlobals() {
        try (SessionPool pool = python().minIdle(1).maxSize(1).build()) {
            String first;
            try (Lease lease = pool.acquire()) {
                first = lease.session().id();
                lease.session().execute("import json\nsecret = 'mine'");
                assertThat(lease.session().execute("_result = secret").result())
                        .as("a lease's own state persists between its calls")
                        .isEqualTo("mine");
            }
            try (Lease lease = pool.acquire(Duration.ofSeconds(10))) {
                assertThat(lease.session().id()).isNotEqualTo(first);
                assertThat(lease.session()
                                .execute("_result = ['secret' in globals(), 'json' in globals()]")
                                .result())
                        .isEqualTo(List.of(false, false));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().retired() >= 2);
        }
        noInterpreterLeft();
    }

    @Test
    void resetNoneSharesTheStateOnPurpose() {
        try (SessionPool pool = python().minIdle(0).maxSize(1).reset(Reset.NONE).build()) {
            pool.execute("counter = 0");
            for (int i = 1; i <= 3; i++) {
                assertThat(pool.execute("counter += 1\n_result = counter").result())
                        .isEqualTo(i);
            }
            assertThat(pool.stats().created()).isEqualTo(1);
        }
        noInterpreterLeft();
    }

    @Test
    void javaScriptSessionsArePooledToo() {
        try (SessionPool pool = SessionPool.builder(env, Language.JAVASCRIPT)
                .minIdle(1)
                .maxSize(1)
                .build()) {
            try (Lease lease = pool.acquire()) {
                lease.session().execute("var secret = 'mine'");
                assertThat(lease.session().execute("_result = secret").result()).isEqualTo("mine");
            }
            assertThat(pool.execute("_result = typeof secret").result()).isEqualTo("undefined");
        }
        noInterpreterLeft();
    }

    @Test
    void aLeaseThatEndedCannotBeUsed() {
        try (SessionPool pool = python().minIdle(0).build()) {
            Lease lease = pool.acquire();
            CodeSession session = lease.session();
            lease.close();
            assertThatThrownBy(() -> session.execute("_result = 1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ended");
        }
        noInterpreterLeft();
    }

    @Test
    void aTimedOutSessionIsNeverLentAgainEvenWhenItKeptItsState() {
        try (SessionPool pool = python().minIdle(0).maxSize(1).reset(Reset.NONE).build()) {
            String poisoned;
            try (Lease lease = pool.acquire()) {
                poisoned = lease.session().id();
                ExecutionResult r = lease.session()
                        .execute(Code.python("import time\ntime.sleep(30)").withTimeout(Duration.ofMillis(300)));
                assertThat(r.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
                assertThat(r.stoppedBy()).isEqualTo(dev.exxec.Stop.DEADLINE);
                assertThat(lease.poisoned()).isTrue();
            }
            assertThat(idOfALease(pool)).isNotEqualTo(poisoned);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().retired() == 1);
        }
        noInterpreterLeft();
    }

    @Test
    void aCrashedSessionIsNeverLentAgainButTheHoldersOwnErrorsDoNotPoison() {
        try (SessionPool pool = python().minIdle(0).maxSize(1).reset(Reset.NONE).build()) {
            String kept;
            try (Lease lease = pool.acquire()) {
                kept = lease.session().id();
                ExecutionResult r = lease.session().execute("raise ValueError('mine')");
                assertThat(r.errorType()).isEqualTo("ValueError");
                assertThat(lease.poisoned()).as("the code's own error").isFalse();
                ExecutionResult named = lease.session().execute("raise TimeoutError('mine, named like exxec')");
                assertThat(named.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
                assertThat(named.stoppedBy()).isNull();
                assertThat(lease.poisoned())
                        .as("the code's own TimeoutError: exxec stopped nothing")
                        .isFalse();
            }
            String crashed;
            try (Lease lease = pool.acquire(Duration.ofSeconds(10))) {
                crashed = lease.session().id();
                assertThat(crashed).as("the same session came back").isEqualTo(kept);
                ExecutionResult r = lease.session().execute("import os\nos._exit(3)");
                assertThat(r.errorType()).isEqualTo(ErrorTypes.PROCESS_EXIT);
                assertThat(lease.poisoned()).isTrue();
            }
            assertThat(idOfALease(pool)).isNotEqualTo(crashed);
            String discarded;
            try (Lease lease = pool.acquire(Duration.ofSeconds(10))) {
                discarded = lease.session().id();
                lease.discard();
            }
            assertThat(idOfALease(pool)).isNotEqualTo(discarded);
        }
        noInterpreterLeft();
    }

    @Test
    void anInterpreterThatDiedWhileWaitingFailsTheDefaultHealthCheck() throws Exception {
        try (SessionPool pool = python().minIdle(0).maxSize(1).reset(Reset.NONE).build()) {
            String first;
            try (Lease lease = pool.acquire()) {
                first = lease.session().id();
                lease.session().execute("state = 'precious'");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 1);
            List<ProcessHandle> running = interpreters();
            assertThat(running).hasSize(1);
            running.get(0).destroyForcibly();
            running.get(0).onExit().get(10, TimeUnit.SECONDS);
            try (Lease lease = pool.acquire()) {
                assertThat(lease.session().id())
                        .as("not the one whose state silently vanished")
                        .isNotEqualTo(first);
            }
            assertThat(pool.stats().retired()).isEqualTo(1);
        }
        noInterpreterLeft();
    }

    @Test
    void maxUsesMaxAgeAndACustomHealthCheckRetire() throws InterruptedException {
        try (SessionPool pool =
                python().minIdle(0).maxSize(1).reset(Reset.NONE).maxUses(2).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(idOfALease(pool));
            }
            assertThat(ids.get(0)).isEqualTo(ids.get(1));
            assertThat(ids.get(2)).isEqualTo(ids.get(3)).isNotEqualTo(ids.get(1));
        }
        try (SessionPool pool = python().minIdle(0)
                .maxSize(1)
                .reset(Reset.NONE)
                .maxAge(Duration.ofMillis(300))
                .build()) {
            String first = idOfALease(pool);
            assertThat(idOfALease(pool)).as("young enough").isEqualTo(first);
            Thread.sleep(400);
            assertThat(idOfALease(pool)).as("older than maxAge").isNotEqualTo(first);
        }
        AtomicInteger checks = new AtomicInteger();
        try (SessionPool pool = python().minIdle(0)
                .maxSize(1)
                .reset(Reset.NONE)
                .healthCheck(s -> checks.incrementAndGet() > 1) // the first check fails
                .build()) {
            String first = idOfALease(pool);
            assertThat(idOfALease(pool)).as("it failed its check").isNotEqualTo(first);
            assertThat(checks.get()).isEqualTo(1);
        }
        noInterpreterLeft();
    }

    @Test
    void exhaustionWaitsFailsOrGrows() throws Exception {
        try (SessionPool pool =
                python().minIdle(0).maxSize(1).whenExhausted(WhenExhausted.FAIL).build()) {
            try (Lease held = pool.acquire()) {
                assertThatThrownBy(pool::acquire)
                        .isInstanceOf(PoolExhaustedException.class)
                        .hasMessageContaining("maxSize 1");
            }
        }
        try (SessionPool pool = python().minIdle(0).maxSize(1).reset(Reset.NONE).build();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Lease held = pool.acquire();
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(300)))
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("300 ms")
                    .hasMessageContaining("maxSize 1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            // A waiter gets the session as soon as it comes back.
            Future<String> waiter = threads.submit(() -> idOfALease(pool));
            Thread.sleep(100);
            assertThat(waiter).isNotDone();
            String id = held.session().id();
            held.close();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(id);
            assertThat(pool.stats().created()).isEqualTo(1);
        }
        try (SessionPool pool = python().minIdle(0)
                .maxSize(1)
                .reset(Reset.NONE)
                .whenExhausted(WhenExhausted.GROW)
                .build()) {
            Lease a = pool.acquire();
            Lease b = pool.acquire();
            assertThat(a.session().id()).isNotEqualTo(b.session().id());
            a.close();
            b.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(pool.stats().idle())
                        .as("the surplus one was retired")
                        .isEqualTo(1);
                assertThat(pool.stats().retired()).isEqualTo(1);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> interpreters().size() == 1);
        }
        noInterpreterLeft();
    }

    /**
     * 64 callers on a pool of 8 with the default reset: each caller finds no one else's globals,
     * gets its own result and output, and afterwards no interpreter is left.
     */
    @Test
    void sixtyFourCallersNeverSeeEachOthersResults() throws Exception {
        int callers = 64;
        int rounds = 2;
        assertThat(interpreters()).isEmpty();
        Set<String> sessions = ConcurrentHashMap.newKeySet();
        try (SessionPool pool = python().minIdle(4).maxSize(8).build();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int n = i;
                futures.add(threads.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        try (Lease lease = pool.acquire(Duration.ofSeconds(120))) {
                            CodeSession s = lease.session();
                            assertThat(sessions.add(s.id()))
                                    .as("a session lent twice")
                                    .isTrue();
                            ExecutionResult seen = s.execute("_result = 'caller' in globals()");
                            assertThat(seen.result())
                                    .as("caller %d finds another's global: %s", n, seen)
                                    .isEqualTo(false);
                            s.execute("caller = " + n);
                            ExecutionResult r = s.execute("print(caller)\n_result = caller");
                            assertThat(r.result()).as("caller %d: %s", n, r).isEqualTo(n);
                            assertThat(r.stdout()).isEqualTo(n + "\n");
                        }
                    }
                    return "ok";
                }));
            }
            for (Future<String> f : futures) {
                assertThat(f.get(5, TimeUnit.MINUTES)).isEqualTo("ok");
            }
            assertThat(sessions).hasSize(callers * rounds);
            assertThat(pool.stats().leases()).isEqualTo((long) callers * rounds);
            assertThat(pool.stats().size()).isLessThanOrEqualTo(8);
            assertThat(interpreters().size()).isLessThanOrEqualTo(8);
        }
        noInterpreterLeft();
    }

    @Test
    void closingThePoolClosesLentSessionsTooButNotTheSharedEnvironment() {
        SessionPool pool = python().minIdle(2).maxSize(3).build();
        Lease lease = pool.acquire();
        assertThat(lease.session().execute("_result = 1").result()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> interpreters().size() == 3);
        pool.close();
        pool.close(); // idempotent
        assertThat(interpreters()).isEmpty();
        assertThatThrownBy(pool::acquire)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        lease.close(); // giving back after the end is harmless
        assertThat(env.isClosed()).isFalse();
        assertThat(env.execute("_result = 2").result()).isEqualTo(2);
    }

    @Test
    void sessionsOfTheirOwnEnvironmentsAreClosedWithThem() {
        Set<ExecutionEnvironment> made = ConcurrentHashMap.newKeySet();
        try (SessionPool pool = SessionPool.builder(
                        () -> {
                            ExecutionEnvironment own = LocalEnvironment.builder()
                                    .python("/usr/bin/python3")
                                    .build();
                            made.add(own);
                            return own;
                        },
                        Language.PYTHON)
                .minIdle(1)
                .maxSize(2)
                .build()) {
            String workspace;
            try (Lease lease = pool.acquire()) {
                lease.session().execute("open('mine.txt', 'w').write('secret')");
                workspace = lease.session()
                        .execute("import os\n_result = os.getcwd()")
                        .result()
                        .toString();
            }
            assertThat(pool.execute("import os\n_result = os.path.exists('mine.txt')")
                            .result())
                    .as("another holder's files")
                    .isEqualTo(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(Path.of(workspace)));
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(made).hasSizeGreaterThanOrEqualTo(2).allMatch(ExecutionEnvironment::isClosed));
    }

    @Test
    void typeScriptSessionsAreRefused() {
        assertThatThrownBy(() -> SessionPool.builder(env, Language.TYPESCRIPT))
                .isInstanceOf(dev.exxec.UnsupportedCapabilityException.class);
    }
}
