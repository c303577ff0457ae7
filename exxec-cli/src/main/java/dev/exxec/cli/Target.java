package dev.exxec.cli;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.spi.ExecutionProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where to run: a provider id and its settings, merged from a config file, {@code --set} and the
 * dedicated options.
 *
 * @param provider a provider id or alias
 * @param config its settings by key, as {@link Exxec#environment(String, Map)} takes them
 */
record Target(String provider, Map<String, @Nullable Object> config) {

    /** The provider when neither an option nor a config file names one. */
    static final String DEFAULT_PROVIDER = "local";

    Target {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    /**
     * The provider; cheap, so commands check it before they read their input.
     *
     * @throws dev.exxec.ProviderNotFoundException listing the known ids
     */
    ExecutionProvider resolve() {
        return Exxec.provider(provider);
    }

    /**
     * Creates and starts the environment; the caller closes it.
     *
     * @throws dev.exxec.ExxecException when the provider is unknown, a setting wrong, or the
     *     environment cannot start
     */
    ExecutionEnvironment open() {
        return resolve().create(config);
    }

    /** The setting of providers that can fork calls from a zygote ({@code local}, {@code sandbox}). */
    static final String ZYGOTE = "zygote";

    /**
     * Like {@link #open()}, for an environment that runs a single call ({@code run}): a provider that
     * would start a zygote for later calls is told not to, unless the settings name {@code zygote}
     * themselves. The zygote only pays off from the second call; for one it is an extra interpreter
     * start that competes with the call for the CPU.
     */
    ExecutionEnvironment openForOneCall() {
        ExecutionProvider chosen = resolve();
        if (config.containsKey(ZYGOTE)
                || chosen.configKeys().stream().noneMatch(k -> k.name().equals(ZYGOTE))) {
            return chosen.create(config);
        }
        Map<String, @Nullable Object> once = new LinkedHashMap<>(config);
        once.put(ZYGOTE, false);
        return chosen.create(once);
    }
}
