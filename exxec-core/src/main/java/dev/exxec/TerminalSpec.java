package dev.exxec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to open a terminal.
 *
 * @param command the command line to run on it, or {@code null} for a login shell
 * @param size its initial size
 * @param cwd working directory, or {@code null} for the environment's default
 * @param env variables added to the environment's own ({@code TERM} defaults to {@code xterm-256color})
 */
public record TerminalSpec(
        @Nullable String command,
        TerminalSize size,
        @Nullable String cwd,
        Map<String, String> env) {

    public TerminalSpec {
        Objects.requireNonNull(size, "size");
        if (command != null && command.isBlank()) {
            throw new IllegalArgumentException("command is blank; pass null for a login shell");
        }
        env = dev.exxec.internal.Variables.checked(env);
    }

    /** A login shell of the given size. */
    public static TerminalSpec of(TerminalSize size) {
        return new TerminalSpec(null, size, null, Map.of());
    }

    public TerminalSpec withCommand(String command) {
        return new TerminalSpec(Objects.requireNonNull(command), size, cwd, env);
    }

    public TerminalSpec withCwd(String cwd) {
        return new TerminalSpec(command, size, Objects.requireNonNull(cwd), env);
    }

    public TerminalSpec withEnv(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return new TerminalSpec(command, size, cwd, copy);
    }
}
