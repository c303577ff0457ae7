package dev.exxec.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Capabilities;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.ProviderNotFoundException;
import dev.exxec.spi.Availability;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One area of the contract: a group of tests that share one environment (created on first use,
 * closed after the group) and close every other environment they create.
 *
 * <p>Tests of an area run one after another on one instance; they must not depend on each other's
 * order, and they keep out of each other's way on the shared environment (own file names, own
 * variables).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = KitArea.TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class KitArea {
    /**
     * The most any test or set-up of the kit may take: a provider that hangs fails instead of
     * stalling the build (the slowest test needs about 10 s).
     */
    static final long TIMEOUT_SECONDS = 120;

    private final EnvironmentFactory factory;
    private final List<ExecutionEnvironment> created = new ArrayList<>();
    private @Nullable ExecutionEnvironment shared;

    KitArea(EnvironmentFactory factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** The factory under test. */
    final EnvironmentFactory factory() {
        return factory;
    }

    /** Fails fast (or skips, off CI) when the provider is absent or cannot work on this machine. */
    @BeforeAll
    @Timeout(value = TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    final void requireProvider() {
        Availability availability;
        try {
            availability = Exxec.provider(factory.providerId()).availability();
        } catch (ProviderNotFoundException e) {
            throw new AssertionError("the provider under test is not on the class path: " + e.getMessage(), e);
        }
        Requirements.require(
                availability.available(),
                "provider '" + factory.providerId() + "' is not available here: " + availability.summary() + "; fix: "
                        + availability.fix());
    }

    /** The area's shared environment, created with the base configuration on first use. */
    final synchronized ExecutionEnvironment env() {
        if (shared == null) {
            shared = newEnv(Map.of());
        }
        return shared;
    }

    /** A new environment, closed after the area unless the test closes it first. */
    final synchronized ExecutionEnvironment newEnv(Map<String, ?> overrides) {
        ExecutionEnvironment env = factory.create(overrides);
        created.add(env);
        return env;
    }

    /** What the shared environment declares. */
    final Capabilities caps() {
        return env().capabilities();
    }

    /** Skips unless the environment runs {@code language}. */
    final void assumeLanguage(Language language) {
        assumeTrue(caps().supports(language), () -> "the environment does not declare " + language + why(language));
    }

    private static final java.util.Map<String, String> WHY = new java.util.concurrent.ConcurrentHashMap<>();

    /** What the provider says about a language it does not run here (how to get it), or nothing. */
    private String why(Language language) {
        String provider = env().providerId();
        return WHY.computeIfAbsent(provider + "\0" + language.id(), k -> {
            try {
                String prefix = language.id() + ":";
                return dev.exxec.Exxec.provider(provider).availability().details().stream()
                        .map(String::strip)
                        .filter(d -> d.startsWith(prefix))
                        .map(d -> " (" + provider + " says " + d + ")")
                        .findFirst()
                        .orElse("");
            } catch (RuntimeException e) {
                return "";
            }
        });
    }

    /** Skips unless the environment's code runs as processes of its own (see the factory). */
    final void assumeOwnProcess() {
        assumeTrue(
                factory.codeRunsInOwnProcess(),
                "the environment's code does not run as a process of its own: there is no process to follow");
    }

    /** Skips unless the environment runs shell commands. */
    final void assumeCommands() {
        assumeTrue(caps().commands(), "the environment does not declare commands");
    }

    /** The probe, or a skip when the factory has none. */
    final HostProbe probe() {
        return factory.probe()
                .orElseGet(() -> Assumptions.abort(
                        "the factory has no HostProbe: what the environment leaves running cannot be checked"));
    }

    @AfterAll
    @Timeout(value = TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    final synchronized void closeEnvironments() {
        RuntimeException failure = null;
        for (ExecutionEnvironment env : created) {
            try {
                env.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        created.clear();
        shared = null;
        if (failure != null) {
            throw failure;
        }
    }
}
