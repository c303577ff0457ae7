package dev.exxec.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.StdStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutputLogTest {
    @Test
    void keepsTheMostRecentBytesPerStream() {
        OutputLog log = new OutputLog(10);
        log.append(StdStream.STDOUT, "aaaaa\n");
        log.append(StdStream.STDERR, "err\n");
        log.append(StdStream.STDOUT, "bbbbb\n");
        assertThat(log.snapshot().stdout()).isEqualTo("bbbbb\n");
        assertThat(log.snapshot().stderr()).isEqualTo("err\n");
        assertThat(log.snapshot().combined()).isEqualTo("err\nbbbbb\n");
        assertThat(log.snapshot().truncated()).isTrue();
    }

    @Test
    void readersFollowWithACursorAndWake() throws Exception {
        OutputLog log = new OutputLog(1000);
        log.append(StdStream.STDOUT, "one\n");
        assertThat(log.read(0, Duration.ZERO)).extracting(OutputLog.Piece::text).containsExactly("one\n");
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            log.append(StdStream.STDOUT, "two\n");
        });
        assertThat(log.read(1, Duration.ofSeconds(5)))
                .extracting(OutputLog.Piece::text)
                .containsExactly("two\n");
        log.close();
        assertThat(log.read(2, Duration.ofSeconds(5))).isEmpty();
    }
}
