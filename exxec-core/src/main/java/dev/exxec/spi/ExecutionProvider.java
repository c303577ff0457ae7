package dev.exxec.spi;

import dev.exxec.ExecutionEnvironment;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link ExecutionEnvironment}s of one kind. Found with {@link java.util.ServiceLoader}: a
 * provider module lists its implementation in {@code META-INF/services/dev.exxec.spi.ExecutionProvider}.
 *
 * <p>Implementations are stateless or thread-safe and cheap to construct; expensive checks happen in
 * {@link #availability()} or {@link #create(Map)}.
 */
public interface ExecutionProvider {

    /** Its id, lower case ({@code local}, {@code docker}...). */
    String id();

    /** Other names it answers to ({@code subprocess} for {@code local}). */
    default Set<String> aliases() {
        return Set.of();
    }

    /** One line saying where code runs. */
    String description();

    /** The configuration keys {@link #create(Map)} accepts, each with a one-line description. */
    List<ConfigKey> configKeys();

    /** Whether it can work here now; may probe the machine (interpreters, daemons). */
    Availability availability();

    /**
     * Creates and starts an environment.
     *
     * @param config settings by key (values as strings, numbers, booleans, lists or maps); a key
     *     {@code env.NAME} sets one variable
     * @throws dev.exxec.ConfigException naming the key when a key is unknown or a value malformed
     * @throws dev.exxec.ProviderUnavailableException when the machine lacks what it needs
     * @throws dev.exxec.EnvironmentStartException when starting failed (nothing is left behind)
     */
    ExecutionEnvironment create(Map<String, ?> config);

    /**
     * A configuration key.
     *
     * @param name the key; a name ending in {@code .NAME} stands for a family ({@code env.NAME})
     * @param description what it sets, its unit and default
     */
    record ConfigKey(String name, String description) {}
}
