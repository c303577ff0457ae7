package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read-only open of a real FIFO, which the kernel blocks until a writer comes, under the guard. */
class FifoGuardTest {
    @TempDir
    Path dir;

    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is needed to make a FIFO");
        return path;
    }

    @Test
    void aBlockedOpenIsReleasedByOpeningBothEnds() throws Exception {
        Path fifo = mkfifo(dir.resolve("fifo"));
        long start = System.nanoTime();
        try (SeekableByteChannel channel = FifoGuard.open(
                "fifo",
                () -> Files.newByteChannel(fifo, StandardOpenOption.READ),
                () -> Files.newByteChannel(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)
                        .close())) {
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("released after")
                    .isLessThan(Duration.ofSeconds(1));
            assertThatThrownBy(channel::position)
                    .as("a FIFO has no position: how the caller tells it from a file")
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aRegularFileOpensWithoutRelease() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "content");
        try (SeekableByteChannel channel =
                FifoGuard.open("file", () -> Files.newByteChannel(file, StandardOpenOption.READ), () -> {
                    throw new AssertionError("no release for an open that does not block");
                })) {
            assertThat(channel.position()).isZero();
            assertThat(channel.size()).isEqualTo(7);
        }
    }

    /**
     * The FIFO is renamed away while the open waits on it, so its name no longer reaches it: the
     * caller gives up after a bounded time, and the thread left behind ends when the FIFO is opened.
     */
    @Test
    void anOpenThatCannotBeReleasedIsGivenUp() throws Exception {
        Path fifo = mkfifo(dir.resolve("fifo"));
        Path hidden = dir.resolve("hidden");
        int stuckBefore = FifoGuard.stuck();
        long start = System.nanoTime();
        assertThatThrownBy(() ->
                        FifoGuard.open("fifo", () -> Files.newByteChannel(fifo, StandardOpenOption.READ), () -> {
                            if (Files.exists(fifo)) {
                                Files.move(fifo, hidden); // what hostile code would do
                            }
                            throw new IOException("nothing to release at that name");
                        }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("could not open fifo");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took)
                .isGreaterThanOrEqualTo(FifoGuard.GIVE_UP_AFTER)
                .isLessThan(FifoGuard.GIVE_UP_AFTER.plusSeconds(2));
        assertThat(FifoGuard.stuck()).isEqualTo(stuckBefore + 1);
        Files.newByteChannel(hidden, StandardOpenOption.READ, StandardOpenOption.WRITE)
                .close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (FifoGuard.stuck() > stuckBefore && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(FifoGuard.stuck())
                .as("the blocked thread ended once the FIFO was opened")
                .isEqualTo(stuckBefore);
    }
}
