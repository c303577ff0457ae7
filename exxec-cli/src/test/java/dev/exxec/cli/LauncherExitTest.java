package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An orderly exit does not wait for local's keeper. The keeper is a child process that lives as long
 * as the JVM; the JDK watches it with a thread blocked in waitpid, and HotSpot's exit waits up to 30
 * x 10 ms for every thread in native code (UserThreadWaitAttemptsAtExit), so every {@code ./exxec
 * run} ended 300 ms after its program. The launcher turns that wait off.
 */
class LauncherExitTest {

    private static Path launcher() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("exxec"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as("the launcher script above %s", Path.of("").toAbsolutePath())
                .isNotNull();
        return dir.resolve("exxec");
    }

    @Test
    void theLauncherTurnsOffTheExitWaitForThreadsInNative() throws Exception {
        String script = Files.readString(launcher());
        // on JDK 25+, where the flag exists (an unknown -XX flag stops the JVM), in both JVM set-ups
        assertThat(script.split("\n"))
                .filteredOn(l -> l.contains("-XX:UserThreadWaitAttemptsAtExit=0"))
                .hasSize(2)
                .allMatch(l -> l.contains("[ \"$major\" -ge 25 ] &&"));
    }
}
