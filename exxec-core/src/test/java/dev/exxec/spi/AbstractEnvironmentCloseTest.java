package dev.exxec.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@code close()} returns only once the environment is closed, whoever called it first. */
class AbstractEnvironmentCloseTest {

    /** An environment whose release takes a while and can be watched. */
    private static final class SlowClose extends AbstractEnvironment {
        final CountDownLatch releasing = new CountDownLatch(1);
        final AtomicBoolean released = new AtomicBoolean();
        int closes;

        SlowClose() {
            super("slow", EnvironmentSettings.DEFAULTS);
        }

        @Override
        protected ExecutionResult runCode(
                Code code, Language language, Duration timeout, String executionId, @Nullable EventSink sink) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected ExecutionResult runCommand(
                Command command, Duration timeout, String executionId, @Nullable EventSink sink) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void doClose() {
            closes++;
            releasing.countDown();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close(); // a release that closes again (through a listener, say) must not wait for itself
            released.set(true);
        }

        @Override
        public Capabilities capabilities() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aSecondCloseWaitsForTheFirstToFinish() throws Exception {
        SlowClose env = new SlowClose();
        Thread first = Thread.ofPlatform().start(env::close);
        assertThat(env.releasing.await(5, TimeUnit.SECONDS)).isTrue();

        env.close(); // while the first is still releasing
        assertThat(env.released)
                .as("the second close returned before the environment was released")
                .isTrue();
        assertThat(env.closes).isEqualTo(1);
        first.join();
    }
}
