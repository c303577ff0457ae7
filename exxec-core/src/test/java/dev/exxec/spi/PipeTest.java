package dev.exxec.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PipeTest {
    @Test
    void carriesBytesAcrossThreadsWithBackPressureAndEnds() throws Exception {
        Pipe pipe = new Pipe(8);
        byte[] data = "a message longer than the pipe holds".getBytes(StandardCharsets.UTF_8);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (var sink = pipe.sink()) {
                sink.write(data);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(writer.isAlive()).as("blocked: the pipe is full").isTrue();
        assertThat(pipe.source().readAllBytes()).isEqualTo(data);
        writer.join();
    }

    @Test
    void writingAfterTheReaderLeftFails() throws Exception {
        Pipe pipe = new Pipe(4);
        pipe.source().close();
        assertThatThrownBy(() -> pipe.sink().write(1)).isInstanceOf(IOException.class);
        assertThat(pipe.source().read()).isEqualTo(-1);
    }

    @Test
    void anyThreadMayWriteEvenOneThatEnded() throws Exception {
        Pipe pipe = new Pipe(64);
        Thread.ofPlatform()
                .start(() -> {
                    try {
                        pipe.sink().write("x".getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .join();
        assertThat(pipe.source().read()).isEqualTo('x'); // a PipedInputStream would say "write end dead"
        pipe.sink().close();
        assertThat(pipe.source().read()).isEqualTo(-1);
    }
}
