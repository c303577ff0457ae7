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
        Path mine = Files.createDirectories(tmp.resolve("exxec-mine"));
        Files.writeString(
                mine.resolve(LeftoverSweep.OWNER), ProcessHandle.current().pid() + " 0");
        Path owned = Files.createDirectories(tmp.resolve("exxec-owned-by-the-gone-one"));
        Files.writeString(owned.resolve(LeftoverSweep.OWNER), gone.pid() + " 0");
        // pid 1 runs, but started long before this "owner" did: a pid reused is not the owner.
        Path reused = Files.createDirectories(tmp.resolve("exxec-reused"));
        Files.writeString(reused.resolve(LeftoverSweep.OWNER), "1 " + System.currentTimeMillis());
        Path beingMade = Files.createDirectories(tmp.resolve("exxec-being-made"));
        Path unrelated = Files.createDirectories(tmp.resolve("exxec-local-notapid"));
        Path alive = Files.createDirectories(tmp.resolve("exxec-local-1-1")); // pid 1 always runs
        Path aliveOwner = Files.createDirectories(tmp.resolve("exxec-alive"));
        Files.writeString(aliveOwner.resolve(LeftoverSweep.OWNER), "1 0");

        assertThat(LeftoverSweep.sweep(tmp)).isEqualTo(4);

        assertThat(orphan.getParent()).doesNotExist();
        assertThat(drivers).doesNotExist();
        assertThat(owned).doesNotExist();
        assertThat(reused).doesNotExist();
        assertThat(mine).exists();
        assertThat(beingMade).exists();
        assertThat(unrelated).exists();
        assertThat(alive).exists();
        assertThat(aliveOwner).exists();
    }
}
