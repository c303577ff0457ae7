package dev.exxec.spi;

import dev.exxec.Language;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings every environment shares, whatever its provider.
 *
 * @param timeout default deadline of a call; {@link Duration#ZERO} for none
 * @param language the language of {@code execute(String)}
 * @param env variables set for every call
 * @param cwd default working directory (relative paths resolve against the workspace), or {@code null}
 *     for the workspace itself
 * @param outputLimit bytes kept per output stream of a call
 * @param stopOnOutputLimit whether exceeding the output limit stops the call
 * @param inheritEnv whether the host's variables are passed too (local providers only)
 * @param keepWorkspace whether the workspace survives {@code close()}
 * @param readLimit the most bytes {@code files().read(path)} takes of one file
 */
public record EnvironmentSettings(
        Duration timeout,
        Language language,
        Map<String, String> env,
        @Nullable String cwd,
        long outputLimit,
        boolean stopOnOutputLimit,
        boolean inheritEnv,
        boolean keepWorkspace,
        long readLimit) {

    /** 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** 10 MiB. */
    public static final long DEFAULT_OUTPUT_LIMIT = 10L << 20;
    /**
     * 64 MiB: what {@code files().read(path)} takes of one file at most, so that no file the code made
     * (or swapped in, or a {@code /proc} file without end) fills this JVM's heap.
     */
    public static final long DEFAULT_READ_LIMIT = 64L << 20;
    /** Defaults: 30 s, Python, no variables, the workspace, 10 MiB kept, nothing inherited, 64 MiB reads. */
    public static final EnvironmentSettings DEFAULTS = new EnvironmentSettings(
            DEFAULT_TIMEOUT,
            Language.PYTHON,
            Map.of(),
            null,
            DEFAULT_OUTPUT_LIMIT,
            false,
            false,
            false,
            DEFAULT_READ_LIMIT);

    /** The keys read by {@link #read(ConfigReader)}. */
    public static final List<ExecutionProvider.ConfigKey> KEYS = List.of(
            new ExecutionProvider.ConfigKey(
                    "timeout", "default deadline of a call in seconds (or 250ms, 2m); 0 = none; default 30"),
            new ExecutionProvider.ConfigKey(
                    "language", "language of execute(String): python, javascript or typescript; default python"),
            new ExecutionProvider.ConfigKey(
                    "env.NAME",
                    "an environment variable set for every call, a string or a number (also 'env' as a map)"),
            new ExecutionProvider.ConfigKey(
                    "cwd", "default working directory; relative paths resolve against the workspace"),
            new ExecutionProvider.ConfigKey(
                    "outputLimit", "bytes of output kept per stream (64k, 10m...); default 10m"),
            new ExecutionProvider.ConfigKey(
                    "stopOnOutputLimit", "stop a call whose output exceeds the limit; default false"),
            new ExecutionProvider.ConfigKey(
                    "inheritEnv", "pass the host's environment variables to the code; default false"),
            new ExecutionProvider.ConfigKey("keepWorkspace", "keep the workspace directory after close; default false"),
            new ExecutionProvider.ConfigKey(
                    "readLimit", "the most bytes files().read takes of one file (64m, 1g...); default 64m"));

    public EnvironmentSettings {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(language, "language");
        env = dev.exxec.internal.Variables.checked(env);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        if (outputLimit < 0) {
            throw new IllegalArgumentException("outputLimit must not be negative");
        }
        if (readLimit <= 0 || readLimit > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("readLimit must be positive and below 2 GiB: " + readLimit);
        }
    }

    /** Reads the shared keys, with defaults for those absent. */
    public static EnvironmentSettings read(ConfigReader config) {
        Map<String, String> env = config.map("env");
        try {
            dev.exxec.internal.Variables.checked(env);
        } catch (IllegalArgumentException e) {
            throw new dev.exxec.ConfigException("env", "config key 'env': " + e.getMessage());
        }
        return new EnvironmentSettings(
                config.duration("timeout").orElse(DEFAULT_TIMEOUT),
                config.language("language").orElse(Language.PYTHON),
                env,
                config.nonBlank("cwd").orElse(null),
                config.bytes("outputLimit").orElse(DEFAULT_OUTPUT_LIMIT),
                config.bool("stopOnOutputLimit").orElse(false),
                config.bool("inheritEnv").orElse(false),
                config.bool("keepWorkspace").orElse(false),
                config.bytes("readLimit").orElse(DEFAULT_READ_LIMIT));
    }

    public EnvironmentSettings withTimeout(Duration timeout) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withLanguage(Language language) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withEnv(Map<String, String> env) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withCwd(@Nullable String cwd) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withOutputLimit(long outputLimit, boolean stop) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stop, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withInheritEnv(boolean inheritEnv) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withKeepWorkspace(boolean keepWorkspace) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }

    public EnvironmentSettings withReadLimit(long readLimit) {
        return new EnvironmentSettings(
                timeout, language, env, cwd, outputLimit, stopOnOutputLimit, inheritEnv, keepWorkspace, readLimit);
    }
}
