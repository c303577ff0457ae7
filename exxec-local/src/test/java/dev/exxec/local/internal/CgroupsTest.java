package dev.exxec.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupsTest {
    private static final String CALL = "exxec-" + ProcessHandle.current().pid() + "-call1";
    private static final String MOUNTINFO_V1 = """
            25 1 0:22 / / rw shared:1 - ext4 /dev/vda rw
            30 25 0:26 / %1$s/memory rw,relatime - cgroup cgroup rw,memory
            31 25 0:27 / %1$s/pids rw,relatime - cgroup cgroup rw,pids
            """;

    @Test
    void findsWritableV1HierarchiesBelowTheOwnCgroup(@TempDir Path fs) throws Exception {
        Path own = Files.createDirectories(fs.resolve("memory/app/jvm"));
        Files.createDirectories(fs.resolve("pids"));
        Path mountinfo = Files.writeString(fs.resolve("mountinfo"), MOUNTINFO_V1.formatted(fs));
        Path cgroup = Files.writeString(fs.resolve("cgroup"), "4:memory:/app/jvm\n8:pids:/\n0::/\n");

        Cgroups cgroups = Cgroups.detect(mountinfo, cgroup);

        assertThat(cgroups.available()).isTrue();
        assertThat(cgroups.description()).contains("v1");
        try (Cgroups.Lease lease = cgroups.create("call1", 256L << 20, 64)) {
            assertThat(own.resolve(CALL + "/memory.limit_in_bytes")).hasContent(Long.toString(256L << 20));
            assertThat(fs.resolve("pids/" + CALL + "/pids.max")).hasContent("64");
            assertThat(lease.procsFiles())
                    .containsExactly(own.resolve(CALL + "/cgroup.procs"), fs.resolve("pids/" + CALL + "/cgroup.procs"));
            Files.writeString(
                    own.resolve(CALL + "/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
            assertThat(lease.oomKilled()).isTrue();
            // A real cgroupfs removes its control files with the directory; a plain one needs help.
            for (Path dir : new Path[] {own.resolve(CALL), fs.resolve("pids/" + CALL)}) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
        assertThat(own.resolve(CALL)).doesNotExist();
    }

    @Test
    void theSweepRemovesEmptyCgroupsOfJvmsThatAreGone(@TempDir Path fs) throws Exception {
        Path own = Files.createDirectories(fs.resolve("memory/jvm"));
        Files.createDirectories(fs.resolve("pids"));
        Path mountinfo = Files.writeString(fs.resolve("mountinfo"), MOUNTINFO_V1.formatted(fs));
        Path cgroup = Files.writeString(fs.resolve("cgroup"), "4:memory:/jvm\n8:pids:/\n");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path orphan = Files.createDirectory(own.resolve("exxec-" + gone.pid() + "-x"));
        Path orphanPids = Files.createDirectory(fs.resolve("pids/exxec-" + gone.pid() + "-x"));
        Path mine = Files.createDirectory(
                own.resolve("exxec-" + ProcessHandle.current().pid() + "-y"));
        Path foreign = Files.createDirectory(own.resolve("other"));

        assertThat(Cgroups.detect(mountinfo, cgroup).sweep()).isEqualTo(2);

        assertThat(orphan).doesNotExist();
        assertThat(orphanPids).doesNotExist();
        assertThat(mine).exists();
        assertThat(foreign).exists();
    }

    @Test
    void v2WithoutDelegationSaysWhy(@TempDir Path fs) throws Exception {
        Path own = Files.createDirectories(fs.resolve("unified/user.slice/app"));
        Files.writeString(own.resolve("cgroup.subtree_control"), "");
        own.toFile().setWritable(false);
        Path mountinfo = Files.writeString(
                fs.resolve("mountinfo"), "35 25 0:30 / " + fs.resolve("unified") + " rw - cgroup2 cgroup2 rw\n");
        Path cgroup = Files.writeString(fs.resolve("cgroup"), "0::/user.slice/app\n");
        try {
            Cgroups cgroups = Cgroups.detect(mountinfo, cgroup);
            if (!"root".equals(System.getProperty("user.name"))) { // root may write anyway
                assertThat(cgroups.available()).isFalse();
                assertThat(cgroups.description()).contains("not writable");
            }
        } finally {
            own.toFile().setWritable(true);
        }
    }

    @Test
    void noHierarchyAtAllSaysSo(@TempDir Path fs) throws Exception {
        Path mountinfo = Files.writeString(fs.resolve("mountinfo"), "25 1 0:22 / / rw - ext4 /dev/vda rw\n");
        Path cgroup = Files.writeString(fs.resolve("cgroup"), "");
        Cgroups cgroups = Cgroups.detect(mountinfo, cgroup);
        assertThat(cgroups.available()).isFalse();
        assertThat(cgroups.description()).contains("no cgroup hierarchy");
    }

    @Test
    void thisMachineEnforcesLimitsWhereCiExpectsIt() {
        // CI runs as root on a machine with writable cgroups: there the sandbox must enforce them.
        Requirements.require(
                Cgroups.detect().available(),
                "no writable cgroups here: " + Cgroups.detect().description());
    }
}
