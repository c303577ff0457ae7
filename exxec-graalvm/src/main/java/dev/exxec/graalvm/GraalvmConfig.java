package dev.exxec.graalvm;

import dev.exxec.ConfigException;
import dev.exxec.graalvm.internal.Stragglers;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.EnvironmentSettings;
import dev.exxec.spi.ExecutionProvider.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a {@code graalvm} environment.
 *
 * @param settings the settings every environment shares (timeout, env, cwd, output limit...)
 * @param threads at most this many calls run at once, the others wait (their deadline runs meanwhile):
 *     the platform threads that run this environment's contexts (a call left running past its
 *     deadline is replaced by a fresh thread)
 * @param spareContexts fresh contexts per language kept ready for the next calls (built in the
 *     background once a language was used; each serves one call); 0 builds each on demand
 * @param fileAccess what files the code itself can reach
 * @param commands the provider that runs {@code executeCommand} for this environment ({@code local},
 *     {@code sandbox}...), its commands starting in this environment's workspace; {@code null} refuses
 *     commands
 * @param maxStuck how many graalvm calls of the JVM (all environments of the provider) may be left
 *     running past their deadline, in code that cannot be interrupted (big-integer arithmetic), before
 *     this environment refuses new calls with a {@link dev.exxec.LimitExceededException}; each holds a
 *     CPU core and its context's memory until its operation ends
 */
public record GraalvmConfig(
        EnvironmentSettings settings,
        int threads,
        int spareContexts,
        FileAccess fileAccess,
        @Nullable String commands,
        int maxStuck) {

    /** What files the code can reach. */
    public enum FileAccess {
        /** None: every file operation of the code fails (the default). */
        NONE,
        /** The environment's workspace, and nothing outside it (links that lead out are refused). */
        WORKSPACE
    }

    /**
     * Spare contexts per language by default: two, so that a second call soon after the first still
     * finds one ready (a GraalPy context takes about 50 ms of CPU to build; a spare holds about 2 MiB,
     * a GraalJS one about 0.1 MiB).
     */
    static final int DEFAULT_SPARES = 2;

    /** The keys {@link #from(Map)} accepts. */
    public static final List<ConfigKey> KEYS;

    static {
        List<ConfigKey> keys = new ArrayList<>(EnvironmentSettings.KEYS);
        keys.removeIf(k -> k.name().equals("inheritEnv"));
        keys.addAll(
                List.of(
                        new ConfigKey(
                                "threads",
                                "calls running at once, on this environment's platform threads; default the number of CPUs (at least 2)"),
                        new ConfigKey(
                                "spareContexts",
                                "fresh contexts per language built ahead of the calls (each serves one call; a GraalPy one holds about 2 MiB); 0 builds each on demand; default 2"),
                        new ConfigKey(
                                "fileAccess",
                                "files the code can reach: none (default) or workspace (confined to the environment's workspace)"),
                        new ConfigKey(
                                "commands",
                                "provider that runs executeCommand, e.g. local or sandbox, starting in the workspace; default none (refused)"),
                        new ConfigKey(
                                "maxStuck",
                                "graalvm calls of the JVM left running past their deadline in code that cannot be interrupted (big-integer arithmetic), each holding a CPU core and its memory, before new calls are refused (LimitExceededException); default twice the number of CPUs (at least 4)")));
        KEYS = List.copyOf(keys);
    }

    public GraalvmConfig {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(fileAccess, "fileAccess");
        if (threads < 1) {
            throw new ConfigException("threads", "config key 'threads' must be at least 1: " + threads);
        }
        if (spareContexts < 0 || spareContexts > 16) {
            throw new ConfigException(
                    "spareContexts", "config key 'spareContexts' must be between 0 and 16: " + spareContexts);
        }
        if (maxStuck < 1) {
            throw new ConfigException("maxStuck", "config key 'maxStuck' must be a positive integer: " + maxStuck);
        }
        if (settings.inheritEnv()) {
            throw new ConfigException(
                    "inheritEnv", "the graalvm provider never gives code the host's variables (inheritEnv)");
        }
        if (commands != null
                && (commands.isBlank()
                        || commands.equalsIgnoreCase(GraalvmProvider.ID)
                        || commands.equalsIgnoreCase("inprocess"))) {
            throw new ConfigException(
                    "commands", "config key 'commands' must name another provider (local, sandbox...): " + commands);
        }
    }

    /**
     * The defaults: a thread per CPU (at least 2), two spare contexts, no file access, no commands,
     * at most twice the CPUs (at least 4) calls left running past their deadline.
     */
    public static GraalvmConfig defaults() {
        return new GraalvmConfig(
                EnvironmentSettings.DEFAULTS,
                defaultThreads(),
                DEFAULT_SPARES,
                FileAccess.NONE,
                null,
                Stragglers.defaultLimit());
    }

    private static int defaultThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** This configuration with other shared settings. */
    public GraalvmConfig withSettings(EnvironmentSettings settings) {
        return new GraalvmConfig(settings, threads, spareContexts, fileAccess, commands, maxStuck);
    }

    /**
     * Reads a configuration map.
     *
     * @throws ConfigException naming the key when a key is unknown or a value malformed
     */
    public static GraalvmConfig from(Map<String, ?> config) {
        ConfigReader r = new ConfigReader(GraalvmProvider.ID, config, KEYS);
        GraalvmConfig result = new GraalvmConfig(
                EnvironmentSettings.read(r),
                r.integer("threads").orElse(defaultThreads()),
                r.integer("spareContexts").orElse(DEFAULT_SPARES),
                r.choice("fileAccess", FileAccess.class).orElse(FileAccess.NONE),
                r.nonBlank("commands").orElse(null),
                r.integer("maxStuck").orElse(Stragglers.defaultLimit()));
        r.finish();
        return result;
    }
}
