package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JDK search ({@code .mvn/jdk.sh}, sourced by {@code ./exxec} on every run) finds the
 * JDK of the {@code javac} on PATH without a {@code dirname} process: each process the launcher
 * starts is start-up time.
 */
class JdkSearchTest {

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve(".mvn/jdk.sh"))) {
            dir = dir.getParent();
        }
        assertThat(dir).isNotNull();
        return dir;
    }

    @Test
    void theJdkOfTheJavacOnPathIsFoundWithoutDirname(@TempDir Path tmp) throws Exception {
        // A JDK newer than any installed one, reached through a symbolic link on PATH.
        Path jdk = Files.createDirectories(tmp.resolve("jdks/jdk-99/bin"));
        for (String tool : List.of("java", "javac")) {
            Files.writeString(jdk.resolve(tool), "#!/bin/sh\n");
            Files.setPosixFilePermissions(jdk.resolve(tool), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(jdk.getParent().resolve("release"), "JAVA_VERSION=\"99.0.1\"\n");
        // PATH: javac, and readlink, but no dirname.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("javac"), jdk.resolve("javac"));
        Files.createSymbolicLink(
                bin.resolve("readlink"), Path.of("/usr/bin/readlink").toRealPath());

        ProcessBuilder pb = new ProcessBuilder(
                "/bin/sh",
                "-c",
                ". \"$1\"; exxec_find_jdk && printf %s \"$JAVA_HOME\"",
                "sh",
                root().resolve(".mvn/jdk.sh").toString());
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", tmp.toString());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).isEqualTo(jdk.getParent().toRealPath().toString());
    }
}
