package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the command line runs by default: the current directory on local and sandbox only. */
class TargetTest {
    private final ByteArrayOutputStream notes = new ByteArrayOutputStream();
    private final PrintStream notesStream = new PrintStream(notes, true, StandardCharsets.UTF_8);
    private static final Path PROJECT = Path.of("/srv/project");

    private String notes() {
        return notes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void localRunsInTheCurrentDirectoryUnlessCwdIsSet() {
        assertThat(new Target("subprocess", Map.of())
                        .inWorkingDirectory(PROJECT, false, notesStream)
                        .config())
                .containsEntry("cwd", "/srv/project");
        assertThat(new Target("local", Map.of("cwd", "/tmp"))
                        .inWorkingDirectory(PROJECT, false, notesStream)
                        .config())
                .containsEntry("cwd", "/tmp");
        assertThat(notes()).isEmpty();
    }

    @Test
    void sandboxBindsTheCurrentDirectoryReadOnlyOrWritable() {
        Target ro =
                new Target("sandbox", Map.of("bind", "/opt/a,/opt/b")).inWorkingDirectory(PROJECT, false, notesStream);
        assertThat(ro.config())
                .containsEntry("bind", List.of("/opt/a", "/opt/b", "/srv/project"))
                .containsEntry("cwd", "/srv/project")
                .doesNotContainKey("bindRw");

        Target rw = new Target("sandbox", Map.of()).inWorkingDirectory(PROJECT, true, notesStream);
        assertThat(rw.config())
                .containsEntry("bindRw", List.of("/srv/project"))
                .containsEntry("cwd", "/srv/project")
                .doesNotContainKey("bind");

        Target covered =
                new Target("sandbox", Map.of("bind", List.of("/srv"))).inWorkingDirectory(PROJECT, false, notesStream);
        assertThat(covered.config()).containsEntry("bind", List.of("/srv"));
        assertThat(notes()).isEmpty();
    }

    @Test
    void theSandboxNeverGetsTheRootOrTheHomeDirectory() {
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        for (Path dir : List.of(Path.of("/"), home)) {
            Target t = new Target("sandbox", Map.of());
            assertThat(t.inWorkingDirectory(dir, false, notesStream))
                    .as("%s", dir)
                    .isEqualTo(t);
            assertThatThrownBy(() -> t.inWorkingDirectory(dir, true, notesStream))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining("--rw-cwd")
                    .hasMessageContaining("not shared with");
        }
        assertThat(notes())
                .contains("exxec: the current directory is /, the whole file system")
                .contains("your home directory")
                .contains("fresh workspace");
        if (home.getParent() != null && home.getParent().getParent() != null) {
            assertThat(Target.unsharable(home.getParent())).contains("holds your home directory");
        }
        assertThat(Target.unsharable(PROJECT)).isNull();
    }

    /**
     * Hostile review (issue 15): the kernel's file systems shared at their own path put the host's
     * over the sandbox's own ({@code cd /proc} showed every host process and undid the /proc masks,
     * {@code cd /sys} the host's sysfs, {@code cd /etc} all of the host's /etc where the sandbox shows
     * a chosen few files); {@code /run} holds the host's sockets, which reach past the sandbox's
     * network namespace.
     */
    @Test
    void theSandboxNeverGetsTheHostsProcSysDevRunOrEtc() {
        for (String dir :
                List.of("/proc", "/proc/self", "/sys", "/sys/kernel", "/dev", "/dev/shm", "/run", "/etc", "/etc/ssh")) {
            assertThat(Target.unsharable(Path.of(dir))).as(dir).isNotNull().contains(dir);
            Target t = new Target("sandbox", Map.of());
            assertThat(t.inWorkingDirectory(Path.of(dir), false, notesStream))
                    .as(dir)
                    .isEqualTo(t);
        }
        assertThat(Target.unsharable(Path.of("/srv/proc"))).isNull();
        assertThat(Target.unsharable(Path.of("/devices"))).isNull();
    }

    /**
     * Hostile review (issue 15): {@code cd /tmp && exxec exec -p sandbox} let the code read (and with
     * {@code --rw-cwd} write) the workspaces of every other sandbox on the machine, whose files the
     * same sandbox uid owns.
     */
    @Test
    void theSandboxNeverGetsOtherEnvironmentsWorkspaces(@TempDir Path tmp) throws IOException {
        Path workspaces = tmp.resolve("tmp");
        Path other = Files.createDirectories(workspaces.resolve("exxec-123").resolve("workspace"));
        Files.createDirectories(workspaces.resolve(".exxec-staging-1"));
        Path project = Files.createDirectories(workspaces.resolve("project"));
        List<Path> noHome = List.of(Path.of("/nonexistent-home"));
        assertThat(Target.unsharable(workspaces, noHome, workspaces)).contains("workspaces");
        assertThat(Target.unsharable(tmp, noHome, workspaces)).contains("workspaces");
        assertThat(Target.unsharable(other, noHome, workspaces)).contains("workspace");
        assertThat(Target.unsharable(workspaces.resolve(".exxec-staging-1"), noHome, workspaces))
                .isNotNull();
        assertThat(Target.unsharable(project, noHome, workspaces)).isNull();
        assertThat(Target.unsharable(Path.of(System.getProperty("java.io.tmpdir"))))
                .isNotNull();
    }

    /**
     * Hostile review (issue 15): the home check compared paths as written, so a home reached through a
     * symbolic link (home = /home/u -> /data/u, cwd = /data/u, as getcwd reports it) was shared.
     */
    @Test
    void aHomeBehindASymbolicLinkIsStillTheHome(@TempDir Path tmp) throws IOException {
        Path real = Files.createDirectories(tmp.resolve("data").resolve("u"));
        Path link = Files.createSymbolicLink(tmp.resolve("home"), real.getParent());
        Path tmpdir = Path.of("/nonexistent-tmp");
        assertThat(Target.unsharable(real, List.of(link.resolve("u")), tmpdir)).contains("your home directory");
        assertThat(Target.unsharable(real.getParent(), List.of(link.resolve("u")), tmpdir))
                .contains("holds your home directory");
        // and the other way round: the current directory reached through the link
        assertThat(Target.unsharable(link, List.of(real), tmpdir)).contains("holds your home directory");
        assertThat(Target.unsharable(Files.createDirectories(tmp.resolve("elsewhere")), List.of(real), tmpdir))
                .isNull();
    }

    @Test
    void otherProvidersKeepTheirWorkspace() {
        Target t = new Target(UnavailableTestProvider.ID, Map.of());
        assertThat(t.inWorkingDirectory(PROJECT, false, notesStream)).isEqualTo(t);
        assertThatThrownBy(() -> t.inWorkingDirectory(PROJECT, true, notesStream))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--rw-cwd applies to the sandbox provider");
    }

    @Test
    void exitCodesOfFailures() {
        assertThat(ErrorReporter.exitCode(new dev.exxec.UnsupportedCapabilityException("no typescript")))
                .isEqualTo(ExitCodes.CANNOT_RUN);
        assertThat(ErrorReporter.exitCode(new dev.exxec.ConfigException("timeout", "bad")))
                .isEqualTo(ExitCodes.EXXEC_FAILED);
        assertThat(ErrorReporter.exitCode(new IllegalStateException("bug"))).isEqualTo(ExitCodes.EXXEC_FAILED);
        assertThat(ErrorReporter.exitCode(new UsageException("gone", ExitCodes.NOT_FOUND)))
                .isEqualTo(127);
    }
}
