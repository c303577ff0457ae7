package dev.exxec;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A shell command line with POSIX {@code sh -c} semantics (pipes, quotes, {@code &&}, redirects) and
 * per-call settings.
 *
 * @param command the command line; must not be blank
 * @param timeout the deadline of the call, or {@code null} for the environment's default;
 *     {@link Duration#ZERO} means no deadline
 * @param env variables added to the environment's own for this call
 * @param cwd working directory for this call, or {@code null} for the environment's default
 */
public record Command(
        String command,
        @Nullable Duration timeout,
        Map<String, String> env,
        @Nullable String cwd) {

    /** Validates and copies the components. */
    public Command {
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("command is empty: there is nothing to run");
        }
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        env = dev.exxec.internal.Variables.checked(env);
    }

    /** A command with the environment's defaults. */
    public static Command of(String command) {
        return new Command(command, null, Map.of(), null);
    }

    /** This command with another deadline ({@link Duration#ZERO} for none). */
    public Command withTimeout(Duration timeout) {
        return new Command(command, Objects.requireNonNull(timeout, "timeout"), env, cwd);
    }

    /** This command with one more environment variable. */
    public Command withEnv(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new Command(command, timeout, copy, cwd);
    }

    /** This command with more environment variables. */
    public Command withEnv(Map<String, String> variables) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.putAll(variables);
        return new Command(command, timeout, copy, cwd);
    }

    /** This command running in another working directory. */
    public Command withCwd(String cwd) {
        return new Command(command, timeout, env, Objects.requireNonNull(cwd, "cwd"));
    }
}
