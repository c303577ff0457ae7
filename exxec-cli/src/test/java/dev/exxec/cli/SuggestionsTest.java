package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> COMMANDS = List.of("run", "exec", "repl", "providers", "serve");

    @Test
    void swapsTyposAndPrefixesFindTheCommand() {
        assertThat(Suggestions.closest("rnu", COMMANDS)).containsExactly("run");
        assertThat(Suggestions.closest("exce", COMMANDS)).containsExactly("exec");
        assertThat(Suggestions.closest("provider", COMMANDS)).containsExactly("providers");
        assertThat(Suggestions.closest("serv", COMMANDS)).containsExactly("serve");
        assertThat(Suggestions.closest("--jsn", List.of("--json", "--stream"))).containsExactly("--json");
    }

    @Test
    void somethingElseEntirelyHasNoSuggestion() {
        assertThat(Suggestions.closest("foo", COMMANDS)).isEmpty();
        assertThat(Suggestions.closest("install", COMMANDS)).isEmpty();
    }
}
