package dev.exxec.testkit;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the environments the conformance kit tests: a provider id, its base configuration, and
 * optionally a way to look at the machine where the code runs.
 *
 * <p>The kit calls {@link #create(Map)} many times, from one thread at a time, and closes every
 * environment it creates. Implementations are cheap and stateless; expensive set-up (a daemon, a
 * server) belongs in the provider's test class.
 */
public interface EnvironmentFactory {

    /** The provider id passed to {@link Exxec#environment(String, Map)}. */
    String providerId();

    /** The base configuration of every environment, by key (for example {@code python=/usr/bin/python3}). */
    Map<String, Object> config();

    /**
     * Creates an environment with the base configuration, {@code overrides} replacing keys of it.
     * The caller closes it.
     */
    default ExecutionEnvironment create(Map<String, ?> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(config());
        merged.putAll(overrides);
        return Exxec.environment(providerId(), merged);
    }

    /** Creates an environment with the base configuration. The caller closes it. */
    default ExecutionEnvironment create() {
        return create(Map.of());
    }

    /**
     * A probe of the machine where the environment's code runs, to prove that killed processes and
     * removed directories are really gone; empty skips the checks that need it.
     */
    default Optional<HostProbe> probe() {
        return Optional.empty();
    }

    /**
     * Whether the environment's code runs as operating-system processes of its own, which start
     * children, have pids and die when killed. False for interpreters inside the caller's JVM: the
     * kit then skips the checks that follow the code's processes (its "process" is the JVM itself).
     */
    default boolean codeRunsInOwnProcess() {
        return true;
    }

    /**
     * The heap of the JVM the kit starts to prove that output does not fill memory: 64 MiB, or more
     * for a provider whose interpreter lives in that JVM and needs heap of its own.
     */
    default String smallHeap() {
        return "64m";
    }

    /** A factory for a provider and base configuration, without a probe. */
    static EnvironmentFactory of(String providerId, Map<String, ?> config) {
        return new ConfiguredFactory(providerId, Map.copyOf(config), null);
    }

    /** A factory for a provider and base configuration whose code runs where {@code probe} looks. */
    static EnvironmentFactory of(String providerId, Map<String, ?> config, HostProbe probe) {
        return new ConfiguredFactory(providerId, Map.copyOf(config), probe);
    }
}
