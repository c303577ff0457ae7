package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Command;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shell command needs no interpreter: running one does not start any to find out which languages
 * there are (on the command line, {@code exxec exec -- true} would otherwise start Python and Node.js
 * first, each a start-up cost of the command).
 */
class LocalCommandProbeTest {

    /** An "interpreter" that records each start in {@code marks} and then fails. */
    private static Path recorder(Path dir, String name, Path marks) throws Exception {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho " + name + " >> '" + marks + "'\nexit 1\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void aCommandStartsNoInterpreter(@TempDir Path dir) throws Exception {
        Path marks = dir.resolve("marks");
        Map<String, String> config = Map.of(
                "python", recorder(dir, "python", marks).toString(),
                "node", recorder(dir, "node", marks).toString(),
                "typescript", recorder(dir, "tsx", marks).toString());
        try (ExecutionEnvironment env = Exxec.environment("local", config)) {
            ExecutionResult r = env.executeCommand(Command.of("echo ran"));
            assertThat(r.success()).as(r.toString()).isTrue();
            assertThat(r.stdout()).isEqualTo("ran\n");
            try (var events = env.streamCommand(Command.of("true"))) {
                ExecutionResult streamed = events.result();
                assertThat(streamed.success()).as(streamed.toString()).isTrue();
            }
        }
        assertThat(marks).as("interpreters started by running commands").doesNotExist();
    }
}
