package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
