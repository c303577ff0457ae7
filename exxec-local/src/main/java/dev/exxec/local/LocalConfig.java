package dev.exxec.local;

import dev.exxec.Language;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.EnvironmentSettings;
import dev.exxec.spi.ExecutionProvider.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a {@code local} environment.
 *
 * @param settings the settings every environment shares (timeout, env, cwd, output limit...)
 * @param python the Python interpreter: a command on {@code PATH} or a path; {@code null} finds
 *     {@code python3}
 * @param node the Node.js executable; {@code null} finds {@code node}
 * @param typescript the TypeScript runner: {@code tsx}, {@code ts-node} or {@code deno} (a command on
 *     {@code PATH} or a path); {@code null} tries them in that order
 * @param zygote whether one-shot Python calls fork from a zygote (an interpreter started on the first
 *     call, which later calls fork from): worth it for many calls, wasted for one; {@code false} runs
 *     every call in a fresh interpreter. The command line's {@code run} and {@code exec} turn it off.
 */
public record LocalConfig(
        EnvironmentSettings settings,
        @Nullable String python,
        @Nullable String node,
        @Nullable String typescript,
        boolean zygote) {

    /** The keys {@link #from(Map)} accepts. */
    public static final List<ConfigKey> KEYS;

    static {
        List<ConfigKey> keys = new ArrayList<>(EnvironmentSettings.KEYS);
        keys.add(new ConfigKey("python", "Python interpreter, a command on PATH or a path; default python3"));
        keys.add(new ConfigKey("node", "Node.js executable, a command on PATH or a path; default node"));
        keys.add(new ConfigKey(
                "typescript", "TypeScript runner: tsx, ts-node or deno (command or path); default: the first found"));
        keys.add(new ConfigKey(
                "zygote",
                "fork one-shot Python calls from an interpreter started on the first call (pays off from the"
                        + " second call on); false: a fresh interpreter per call; default true"));
        KEYS = List.copyOf(keys);
    }

    public LocalConfig {
        Objects.requireNonNull(settings, "settings");
    }

    /** A configuration with a zygote (the default). */
    public LocalConfig(
            EnvironmentSettings settings, @Nullable String python, @Nullable String node, @Nullable String typescript) {
        this(settings, python, node, typescript, true);
    }

    /** The defaults: python3, node and the first TypeScript runner found on PATH, a zygote. */
    public static LocalConfig defaults() {
        return new LocalConfig(EnvironmentSettings.DEFAULTS, null, null, null, true);
    }

    /**
     * Reads a configuration map.
     *
     * @throws dev.exxec.ConfigException naming the key when a key is unknown or a value malformed
     */
    public static LocalConfig from(Map<String, ?> config) {
        ConfigReader reader = new ConfigReader(LocalProvider.ID, config, KEYS);
        LocalConfig result = read(reader);
        reader.finish();
        return result;
    }

    /** Reads the keys of {@link #KEYS} from a reader that may know more keys (the sandbox's). */
    static LocalConfig read(ConfigReader reader) {
        return new LocalConfig(
                EnvironmentSettings.read(reader),
                reader.nonBlank("python").orElse(null),
                reader.nonBlank("node").orElse(null),
                reader.nonBlank("typescript").orElse(null),
                reader.bool("zygote").orElse(true));
    }

    /** The interpreter setting of a language's config key. */
    static String keyOf(Language language) {
        return switch (language) {
            case PYTHON -> "python";
            case JAVASCRIPT -> "node";
            case TYPESCRIPT -> "typescript";
        };
    }
}
