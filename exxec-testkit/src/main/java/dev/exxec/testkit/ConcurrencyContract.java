package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.EventStream;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One environment used from many virtual threads at once: every call gets its own, correct result. */
abstract class ConcurrencyContract extends KitArea {
    private static final int CALLS = 32;

    ConcurrencyContract(EnvironmentFactory factory) {
        super(factory);
    }

    private static <T> List<T> inParallel(int count, IndexedCall<T> call) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit((Callable<T>) () -> call.run(index)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(2, TimeUnit.MINUTES));
            }
            return results;
        }
    }

    @FunctionalInterface
    private interface IndexedCall<T> {
        T run(int index) throws Exception;
    }

    @Test
    void thirtyTwoParallelExecutionsGetTheirOwnResults() throws Exception {
        assumeLanguage(Language.PYTHON);
        List<ExecutionResult> results = inParallel(
                CALLS, i -> env().execute(Code.python("print(%d)\n_result = {\"index\": %d}\n".formatted(i, i))));
        for (int i = 0; i < CALLS; i++) {
            ExecutionResult r = results.get(i);
            assertThat(r.success()).as("call %d: %s", i, describe(r)).isTrue();
            assertThat(r.result()).as("call %d: %s", i, describe(r)).isEqualTo(java.util.Map.of("index", i));
            assertThat(r.stdout()).as("call %d: %s", i, describe(r)).isEqualTo(i + "\n");
        }
    }

    @Test
    void thirtyTwoParallelCommandsGetTheirOwnResults() throws Exception {
        assumeCommands();
        List<ExecutionResult> results = inParallel(
                CALLS, i -> env().executeCommand(Command.of("echo " + i + "; echo e" + i + " >&2; exit " + (i % 4))));
        for (int i = 0; i < CALLS; i++) {
            ExecutionResult r = results.get(i);
            assertThat(r.exitCode()).as("call %d: %s", i, describe(r)).isEqualTo(i % 4);
            assertThat(r.stdout()).as("call %d: %s", i, describe(r)).isEqualTo(i + "\n");
            assertThat(r.stderr()).as("call %d: %s", i, describe(r)).isEqualTo("e" + i + "\n");
        }
    }

    @Test
    void parallelStreamsKeepTheirEventsApart() throws Exception {
        assumeCommands();
        org.junit.jupiter.api.Assumptions.assumeTrue(caps().streaming(), "the environment does not declare streaming");
        List<String> ids = inParallel(8, i -> {
            try (EventStream stream = env().streamCommand("for n in 1 2 3; do echo s" + i + "-$n; sleep 0.05; done")) {
                var arrivals = StreamingContract.drain(stream);
                ExecutionResult r = StreamingContract.assertWellFormed(stream, arrivals);
                assertThat(r.stdout())
                        .as("stream %d: %s", i, describe(r))
                        .isEqualTo("s%1$d-1\ns%1$d-2\ns%1$d-3\n".formatted(i));
                return stream.id();
            }
        });
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void parallelCallsRunAtTheSameTime() throws Exception {
        assumeCommands();
        long start = System.nanoTime();
        List<ExecutionResult> results = inParallel(8, i -> env().executeCommand("sleep 1"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(results)
                .allSatisfy(r -> assertThat(r.success()).as(describe(r)).isTrue());
        assertThat(took).as("8 calls of 1 s each, in parallel").isLessThan(Duration.ofSeconds(5));
    }
}
