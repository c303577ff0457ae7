package dev.exxec.cli;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider that never works, as a sandbox on a machine without its tools: shows how the CLI reports
 * an unusable provider. Registered for tests only, in src/test/resources/META-INF/services.
 */
public final class UnavailableTestProvider implements ExecutionProvider {
    static final String ID = "unavailable-test";
    static final String WHY = "the test machine has no such thing";
    static final String FIX = "nothing to fix: it is a test double";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("never");
    }

    @Override
    public String description() {
        return "a provider that is never available (tests only)";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(new ConfigKey("flavour", "ignored"));
    }

    @Override
    public Availability availability() {
        return Availability.unavailable(WHY, FIX);
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        throw new ProviderUnavailableException(ID + " is not available: " + WHY + "; " + FIX);
    }
}
