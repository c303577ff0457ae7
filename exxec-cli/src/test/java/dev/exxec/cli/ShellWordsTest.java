package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void oneWordIsAWholeCommandLine() {
        assertThat(ShellWords.commandLine(List.of("echo 'a b' | tr a-z A-Z && exit 3")))
                .isEqualTo("echo 'a b' | tr a-z A-Z && exit 3");
    }

    @Test
    void plainWordsAreJoinedWithSpaces() {
        assertThat(ShellWords.commandLine(List.of("ls", "-la", "/tmp", "FOO=bar", "a,b:c@d%e+f")))
                .isEqualTo("ls -la /tmp FOO=bar a,b:c@d%e+f");
    }

    @Test
    void wordsWithShellCharactersStayOneArgument() {
        assertThat(ShellWords.commandLine(List.of("sh", "-c", "exit 3"))).isEqualTo("sh -c 'exit 3'");
        assertThat(ShellWords.commandLine(List.of("echo", "it's", "$HOME", "", "*")))
                .isEqualTo("echo 'it'\\''s' '$HOME' '' '*'");
    }
}
