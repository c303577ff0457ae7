package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.exxec.Code;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.pool.EnvironmentPool;
import dev.exxec.pool.EnvironmentPool.Lease;
import dev.exxec.pool.PoolExhaustedException;
import dev.exxec.pool.WhenExhausted;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The warm pool, on real {@code local} environments. */
class EnvironmentPoolTest {
    /** Every environment the pools of a test made, to check that none is left open. */
    private final Set<ExecutionEnvironment> made = ConcurrentHashMap.newKeySet();

    private EnvironmentPool.Builder pool() {
        return EnvironmentPool.builder(() -> {
            ExecutionEnvironment env = Exxec.environment("local", Map.of());
            made.add(env);
            return env;
        });
    }

    private void nothingLeftOpen() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(made).allMatch(ExecutionEnvironment::isClosed));
    }

    @Test
    void anEnvironmentComesBackResetAndIsLentAgain() {
        try (EnvironmentPool pool = pool().minIdle(1).maxSize(1).build()) {
            String first;
            String workspace;
            try (Lease lease = pool.acquire()) {
                first = lease.environment().id();
                workspace = lease.environment().files().workspace();
                lease.environment().files().writeString("secret.txt", "mine");
                lease.environment().processes().start("sleep 300");
            }
            try (Lease lease = pool.acquire()) {
                assertThat(lease.environment().id())
                        .as("the same, warm environment")
                        .isEqualTo(first);
                assertThat(lease.environment().files().list("."))
                        .as("the last holder's files")
                        .isEmpty();
                assertThat(lease.environment().processes().list())
                        .as("the last holder's processes")
                        .allMatch(p -> !p.isAlive());
                assertThat(Path.of(workspace)).exists();
            }
            assertThat(pool.stats().leases()).isEqualTo(2);
            assertThat(pool.stats().created()).isEqualTo(1);
            assertThat(lease(pool))
                    .as("given back in the background, ready again")
                    .isNotNull();
        }
        nothingLeftOpen();
    }

    private static String lease(EnvironmentPool pool) {
        try (Lease lease = pool.acquire(Duration.ofSeconds(10))) {
            return lease.environment().id();
        }
    }

    @Test
    void aLeaseThatEndedCannotBeUsed() {
        try (EnvironmentPool pool = pool().build()) {
            Lease lease = pool.acquire();
            ExecutionEnvironment env = lease.environment();
            var files = env.files();
            lease.close();
            assertThatThrownBy(() -> env.execute("_result = 1")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> files.list(".")).isInstanceOf(IllegalStateException.class);
            assertThat(env.isClosed()).isTrue();
        }
        nothingLeftOpen();
    }

    @Test
    void aTimedOutEnvironmentIsNeverLentAgain() {
        try (EnvironmentPool pool = pool().minIdle(0).maxSize(1).build()) {
            String poisoned;
            try (Lease lease = pool.acquire()) {
                poisoned = lease.environment().id();
                ExecutionResult named = lease.environment().execute(Code.python("raise TimeoutError('mine')"));
                assertThat(named.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
                assertThat(lease.poisoned())
                        .as("the code's own TimeoutError: exxec stopped nothing")
                        .isFalse();
                ExecutionResult r = lease.environment()
                        .execute(Code.python("import time\ntime.sleep(30)").withTimeout(Duration.ofMillis(300)));
                assertThat(r.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
                assertThat(lease.poisoned()).isTrue();
            }
            try (Lease lease = pool.acquire()) {
                assertThat(lease.environment().id()).isNotEqualTo(poisoned);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().retired() == 1);
        }
        nothingLeftOpen();
    }

    @Test
    void maxUsesMaxAgeAndTheHealthCheckRetire() throws InterruptedException {
        try (EnvironmentPool pool = pool().minIdle(0).maxSize(1).maxUses(2).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                try (Lease lease = pool.acquire()) {
                    ids.add(lease.environment().id());
                }
            }
            assertThat(ids.get(0)).isEqualTo(ids.get(1));
            assertThat(ids.get(2)).isEqualTo(ids.get(3)).isNotEqualTo(ids.get(1));
        }
        try (EnvironmentPool pool =
                pool().minIdle(0).maxSize(1).maxAge(Duration.ofMillis(200)).build()) {
            String first;
            try (Lease lease = pool.acquire()) {
                first = lease.environment().id();
            }
            Thread.sleep(300);
            try (Lease lease = pool.acquire()) {
                assertThat(lease.environment().id()).as("older than maxAge").isNotEqualTo(first);
            }
        }
        AtomicInteger checks = new AtomicInteger();
        try (EnvironmentPool pool = pool().minIdle(0)
                .maxSize(1)
                .healthCheck(env -> checks.incrementAndGet() > 1) // the first check fails
                .build()) {
            String first;
            try (Lease lease = pool.acquire()) {
                first = lease.environment().id();
            }
            try (Lease lease = pool.acquire()) {
                assertThat(lease.environment().id()).as("it failed its check").isNotEqualTo(first);
            }
            assertThat(checks.get()).isEqualTo(1);
        }
        nothingLeftOpen();
    }

    @Test
    void exhaustionWaitsFailsOrGrows() throws Exception {
        try (EnvironmentPool pool =
                pool().minIdle(0).maxSize(1).whenExhausted(WhenExhausted.FAIL).build()) {
            try (Lease held = pool.acquire()) {
                assertThatThrownBy(pool::acquire)
                        .isInstanceOf(PoolExhaustedException.class)
                        .hasMessageContaining("maxSize 1");
            }
        }
        try (EnvironmentPool pool = pool().minIdle(0).maxSize(1).build()) {
            Lease held = pool.acquire();
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(300)))
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            // A waiter gets the environment as soon as it comes back.
            Future<String> waiter = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                try (Lease lease = pool.acquire(Duration.ofSeconds(10))) {
                    return lease.environment().id();
                }
            });
            Thread.sleep(100);
            String id = held.environment().id();
            held.close();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(id);
        }
        try (EnvironmentPool pool =
                pool().minIdle(0).maxSize(1).whenExhausted(WhenExhausted.GROW).build()) {
            Lease a = pool.acquire();
            Lease b = pool.acquire();
            assertThat(a.environment().id()).isNotEqualTo(b.environment().id());
            a.close();
            b.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(pool.stats().idle())
                        .as("the surplus one was retired")
                        .isEqualTo(1);
                assertThat(pool.stats().retired()).isEqualTo(1);
            });
        }
        nothingLeftOpen();
    }

    @Test
    void minIdleEnvironmentsWaitAheadOfNeed() {
        try (EnvironmentPool pool = pool().minIdle(3).maxSize(4).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 3);
            try (Lease lease = pool.acquire()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 3);
                assertThat(pool.stats().size()).isEqualTo(4);
            }
        }
        nothingLeftOpen();
    }

    /** 64 callers on a pool of 8: every caller gets its own result and sees only its own files. */
    @Test
    void sixtyFourCallersNeverSeeEachOthersResults() throws Exception {
        int callers = 64;
        try (EnvironmentPool pool = pool().minIdle(2).maxSize(8).build();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int n = i;
                futures.add(threads.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        try (Lease lease = pool.acquire(Duration.ofSeconds(60))) {
                            ExecutionEnvironment env = lease.environment();
                            assertThat(env.files().list("."))
                                    .as("caller %d finds another's files", n)
                                    .isEmpty();
                            env.files().writeString("caller.txt", Integer.toString(n));
                            ExecutionResult r = env.execute(Code.python(
                                    "print(open('caller.txt').read())\n_result = int(open('caller.txt').read())"));
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
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().lent() == 0);
            assertThat(pool.stats().size()).isLessThanOrEqualTo(8);
            assertThat(pool.stats().leases()).isEqualTo(3L * callers);
        }
        nothingLeftOpen();
        assertThat(made).allSatisfy(env -> assertThat(env.isClosed()).isTrue());
    }

    @Test
    void closingThePoolClosesLentEnvironmentsToo() throws Exception {
        EnvironmentPool pool = pool().minIdle(2).maxSize(3).build();
        Lease lease = pool.acquire();
        Path workspace = Path.of(lease.environment().files().workspace());
        pool.close();
        assertThat(lease.environment().isClosed()).isTrue();
        assertThat(Files.exists(workspace)).isFalse();
        assertThatThrownBy(pool::acquire)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        lease.close(); // giving back after the end is harmless
        nothingLeftOpen();
    }

    @Test
    void aFailingFactoryIsReportedToTheCaller() {
        try (EnvironmentPool pool = EnvironmentPool.builder("local", Map.of("memory", "lots"))
                .minIdle(0)
                .build()) {
            assertThatThrownBy(pool::acquire).hasMessageContaining("memory");
            assertThat(pool.stats().lastFailure()).isNotNull();
            assertThat(pool.stats().creating()).isZero();
        }
    }
}
