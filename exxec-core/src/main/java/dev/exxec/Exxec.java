package dev.exxec;

import dev.exxec.spi.ExecutionProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The entry point: finds providers on the class path and creates environments.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = Exxec.environment("local", Map.of("timeout", 10))) {
 *     System.out.println(env.execute("_result = 6 * 7").result()); // 42
 * }
 * }
 */
public final class Exxec {

    private static volatile List<ExecutionProvider> providers;

    private Exxec() {}

    /** Every provider on the class path, sorted by id. */
    public static List<ExecutionProvider> providers() {
        List<ExecutionProvider> list = providers;
        if (list == null) {
            synchronized (Exxec.class) {
                list = providers;
                if (list == null) {
                    List<ExecutionProvider> found = new ArrayList<>();
                    ServiceLoader.load(ExecutionProvider.class, Exxec.class.getClassLoader())
                            .forEach(found::add);
                    found.sort(Comparator.comparing(ExecutionProvider::id));
                    providers = list = List.copyOf(found);
                }
            }
        }
        return list;
    }

    /**
     * The provider with this id or alias, ignoring case.
     *
     * @throws ProviderNotFoundException listing the known ids
     */
    public static ExecutionProvider provider(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (ExecutionProvider p : providers()) {
            if (p.id().equals(wanted) || p.aliases().contains(wanted)) {
                return p;
            }
        }
        throw new ProviderNotFoundException(
                id, providers().stream().map(ExecutionProvider::id).toList());
    }

    /** Creates an environment with the provider's defaults. */
    public static ExecutionEnvironment environment(String providerId) {
        return environment(providerId, Map.of());
    }

    /**
     * Creates and starts an environment. Close it when done.
     *
     * @param providerId a provider id or alias ({@code local}, {@code subprocess}...)
     * @param config the provider's settings by key, as in its config record
     * @throws ProviderNotFoundException when no provider has that id
     * @throws ConfigException naming the key when a setting is unknown or malformed
     * @throws ProviderUnavailableException when the provider cannot work on this machine
     * @throws EnvironmentStartException when the environment could not start
     */
    public static ExecutionEnvironment environment(String providerId, Map<String, ?> config) {
        return provider(providerId).create(config);
    }
}
