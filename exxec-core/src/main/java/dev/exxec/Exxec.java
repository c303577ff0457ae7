package dev.exxec;

import dev.exxec.spi.ExecutionProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

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

    /** Every provider, once all were made; {@code null} until then. */
    private static volatile List<ExecutionProvider> providers;

    /** The providers made so far, in class path order (guarded by {@code Exxec.class}). */
    private static final List<ExecutionProvider> MADE = new ArrayList<>();

    /** Makes the rest, one at a time (guarded by {@code Exxec.class}); {@code null} until first used. */
    private static @Nullable Iterator<ExecutionProvider> rest;

    private Exxec() {}

    /** Every provider on the class path, sorted by id. */
    public static List<ExecutionProvider> providers() {
        List<ExecutionProvider> list = providers;
        if (list == null) {
            synchronized (Exxec.class) {
                list = providers;
                if (list == null) {
                    while (next() != null) {
                        // makes them all
                    }
                    List<ExecutionProvider> all = new ArrayList<>(MADE);
                    all.sort(Comparator.comparing(ExecutionProvider::id));
                    providers = list = List.copyOf(all);
                }
            }
        }
        return list;
    }

    /** Makes the next provider the class path lists, or returns {@code null} when there is none. */
    private static @Nullable ExecutionProvider next() {
        if (rest == null) {
            rest = ServiceLoader.load(ExecutionProvider.class, Exxec.class.getClassLoader())
                    .iterator();
        }
        if (!rest.hasNext()) {
            return null;
        }
        ExecutionProvider p = rest.next();
        MADE.add(p);
        return p;
    }

    private static boolean named(ExecutionProvider p, String wanted) {
        return p.id().equals(wanted) || p.aliases().contains(wanted);
    }

    /**
     * The provider with this id or alias, ignoring case. Only the providers the class path lists
     * before it are made: a command line that uses one provider pays for no other's set-up, nor for
     * searching the rest of the class path (every jar) for more of them.
     *
     * @throws ProviderNotFoundException listing the known ids
     */
    public static ExecutionProvider provider(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        List<ExecutionProvider> all = providers;
        if (all == null) {
            synchronized (Exxec.class) {
                for (ExecutionProvider p : MADE) {
                    if (named(p, wanted)) {
                        return p;
                    }
                }
                for (ExecutionProvider p = next(); p != null; p = next()) {
                    if (named(p, wanted)) {
                        return p;
                    }
                }
            }
            all = providers();
        }
        for (ExecutionProvider p : all) {
            if (named(p, wanted)) {
                return p;
            }
        }
        throw new ProviderNotFoundException(
                id, all.stream().map(ExecutionProvider::id).toList());
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
