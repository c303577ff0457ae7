package dev.exxec.testkit;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The factory of {@link EnvironmentFactory#of}. */
record ConfiguredFactory(
        String providerId,
        Map<String, ?> baseConfig,
        @Nullable HostProbe hostProbe) implements EnvironmentFactory {

    ConfiguredFactory {
        Objects.requireNonNull(providerId, "providerId");
        baseConfig = Map.copyOf(baseConfig);
    }

    @Override
    public Map<String, Object> config() {
        return Map.copyOf(baseConfig);
    }

    @Override
    public Optional<HostProbe> probe() {
        return Optional.ofNullable(hostProbe);
    }
}
