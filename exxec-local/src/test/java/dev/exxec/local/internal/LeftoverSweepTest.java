package dev.exxec.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverSweepTest {
    @Test
    void removesOnlyDirectoriesOfJvmsThatAreGone(@TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path orphan = Files.createDirectories(tmp.resolve("exxec-local-" + gone.pid() + "-123/workspace"));
        Files.writeString(orphan.resolve("file"), "x");
        Path drivers = Files.createDirectories(tmp.resolve("exxec-drivers-" + gone.pid() + "-9"));
        Path mine = Files.createDirectories(tmp.resolve(LeftoverSweep.prefix("local") + "1"));
        Path unrelated = Files.createDirectories(tmp.resolve("exxec-local-notapid"));
        Path alive = Files.createDirectories(tmp.resolve("exxec-local-1-1")); // pid 1 always runs

        assertThat(LeftoverSweep.sweep(tmp)).isEqualTo(2);

        assertThat(orphan.getParent()).doesNotExist();
        assertThat(drivers).doesNotExist();
        assertThat(mine).exists();
        assertThat(unrelated).exists();
        assertThat(alive).exists();
    }
}
