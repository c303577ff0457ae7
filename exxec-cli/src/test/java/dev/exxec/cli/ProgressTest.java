package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private StdIo io(Tty tty) {
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new StdIo(new ByteArrayInputStream(new byte[0]), stream, stream, tty, Path.of("/"));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aLongWaitShowsTheNoteAndErasesIt() throws InterruptedException {
        Progress p = Progress.start(io(Tty.BOTH), "starting the docker container", Duration.ofMillis(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (err().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(err()).isEqualTo("exxec: starting the docker container\u2026");

        p.close();
        p.close();

        assertThat(err()).isEqualTo("exxec: starting the docker container\u2026\r\u001b[K");
    }

    @Test
    void aShortWaitShowsNothing() throws InterruptedException {
        Progress p = Progress.start(io(Tty.BOTH), "starting", Duration.ofHours(1));
        p.close();
        Thread.sleep(50);

        assertThat(err()).isEmpty();
    }

    @Test
    void withoutATerminalOnStderrNothingEver() throws InterruptedException {
        try (Progress p = Progress.start(io(new Tty(true, false)), "starting", Duration.ZERO)) {
            Thread.sleep(200);
        }
        assertThat(err()).isEmpty();
    }
}
