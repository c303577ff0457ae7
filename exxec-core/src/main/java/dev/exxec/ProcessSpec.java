package dev.exxec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to start a background process: a shell command line ({@code sh -c} semantics) and its settings.
 *
 * @param command the command line
 * @param cwd working directory, or {@code null} for the environment's default
 * @param env variables added to the environment's own
 * @param outputLimit bytes of output kept per stream (the most recent ones), or {@code null} for the
 *     environment's output limit
 */
public record ProcessSpec(
        String command,
        @Nullable String cwd,
        Map<String, String> env,
        @Nullable Long outputLimit) {

    public ProcessSpec {
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("command is empty: there is nothing to start");
        }
        if (outputLimit != null && outputLimit <= 0) {
            throw new IllegalArgumentException("outputLimit must be positive: " + outputLimit);
        }
        env = dev.exxec.internal.Variables.checked(env);
    }

    /** A process with the environment's defaults. */
    public static ProcessSpec of(String command) {
        return new ProcessSpec(command, null, Map.of(), null);
    }

    public ProcessSpec withCwd(String cwd) {
        return new ProcessSpec(command, Objects.requireNonNull(cwd), env, outputLimit);
    }

    public ProcessSpec withEnv(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return new ProcessSpec(command, cwd, copy, outputLimit);
    }

    public ProcessSpec withOutputLimit(long bytes) {
        return new ProcessSpec(command, cwd, env, bytes);
    }
}
