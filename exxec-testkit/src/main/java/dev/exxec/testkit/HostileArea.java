package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.ConfigException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Isolation;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * What every hostile area shares: it runs only where the environment declares isolation {@link
 * Isolation#OS_SANDBOX} or stronger (on {@code local} or {@code ssh} hostile code would hit a real
 * machine, so the area is skipped before any program runs); its environments ask for small limits,
 * so that bombs and floods end fast; and its programs are checked with heartbeat files, since code in
 * a sandbox may live in a PID namespace of its own, where the process ids it prints mean nothing here.
 */
abstract class HostileArea extends KitArea {
    /** The contract's margin after a deadline. */
    static final Duration SLACK = Duration.ofSeconds(1);
    /** How long apart two sizes of a heartbeat file are read: programs beat every 100 ms. */
    static final Duration BEAT_WINDOW = Duration.ofMillis(500);

    /** The limits every hostile environment asks for, small so that the cases are fast. */
    private static final Map<String, Object> LIMITS =
            Map.of("memory", "256m", "pids", "64", "fileSize", "64m", "tmpSize", "64m", "timeout", "10");
    /** The keys of {@link #LIMITS} a provider may not know; its capabilities then say what it enforces. */
    private static final Set<String> LIMIT_KEYS = Set.of("memory", "pids", "fileSize", "tmpSize");

    private @Nullable ExecutionEnvironment hostile;

    HostileArea(EnvironmentFactory factory) {
        super(factory);
    }

    /** Skips the whole area, before any program runs, where hostile code would reach a real machine. */
    @BeforeAll
    @Timeout(value = TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    final void onlyWhereIsolated() {
        Isolation isolation = caps().isolation();
        assumeTrue(
                isolation.atLeast(Isolation.OS_SANDBOX),
                () -> "hostile code runs only where the environment declares isolation OS_SANDBOX or"
                        + " stronger; this one declares " + isolation + ", so it would hit the real machine");
    }

    /** The area's environment with the small limits, created on first use, closed after the area. */
    final synchronized ExecutionEnvironment hostile() {
        if (hostile == null) {
            hostile = limited(Map.of());
        }
        return hostile;
    }

    /** The area's environment if a case made it, without making it. */
    final synchronized @Nullable ExecutionEnvironment hostileIfMade() {
        return hostile;
    }

    /**
     * A new environment with the small limits and {@code overrides}; a limit key the provider does
     * not accept is left out (its capabilities then say which limits it enforces anyway).
     */
    final ExecutionEnvironment limited(Map<String, ?> overrides) {
        Map<String, Object> config = new LinkedHashMap<>(LIMITS);
        config.putAll(overrides);
        while (true) {
            try {
                return newEnv(config);
            } catch (ConfigException e) {
                if (e.key() == null || !LIMIT_KEYS.contains(e.key()) || config.remove(e.key()) == null) {
                    throw e;
                }
            }
        }
    }

    /** Python that first assigns each value (string, number or boolean) to its name, as a literal. */
    static String python(Map<String, ?> values, String program) {
        StringBuilder source = new StringBuilder();
        new TreeMap<>(values)
                .forEach((name, value) ->
                        source.append(name).append(" = ").append(literal(value)).append('\n'));
        return source.append(program).toString();
    }

    private static String literal(Object value) {
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        StringBuilder s = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }

    /**
     * Python that first assigns each string to its name, hex-encoded: the program's own text never
     * holds a value (a secret) that a driver might keep somewhere, so finding it later means it leaked.
     */
    static String pythonHidden(Map<String, String> values, String program) {
        StringBuilder source = new StringBuilder();
        new TreeMap<>(values)
                .forEach((name, value) -> source.append(name)
                        .append(" = bytes.fromhex(\"")
                        .append(HexFormat.of().formatHex(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .append("\").decode()\n"));
        return source.append(program).toString();
    }

    /**
     * Whether a heartbeat stops: two sizes read {@link #BEAT_WINDOW} apart are equal, tried again
     * while the first of the two was read less than {@code within} from now.
     */
    static boolean stopsGrowing(LongSupplier size, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long before = size.getAsLong();
        while (true) {
            Thread.sleep(BEAT_WINDOW);
            long after = size.getAsLong();
            if (after == before) {
                return true;
            }
            if (System.nanoTime() - BEAT_WINDOW.toNanos() > deadline) {
                return false;
            }
            before = after;
        }
    }

    /** The size of a workspace file through {@code files()}, or -1 when it is not there. */
    static long sizeOf(ExecutionEnvironment env, String path) {
        return env.files().exists(path) ? env.files().stat(path).size() : -1;
    }

    /**
     * Asserts that the heartbeat file the code wrote beat and stops growing within the contract's
     * slack.
     */
    static void assertBeatStops(ExecutionEnvironment env, String heartbeat, Supplier<String> what)
            throws InterruptedException {
        assertThat(sizeOf(env, heartbeat)).as("%s: it never beat", what.get()).isPositive();
        assertThat(stopsGrowing(() -> sizeOf(env, heartbeat), SLACK))
                .as("%s: its heartbeat file %s still grows", what.get(), heartbeat)
                .isTrue();
    }

    /** Plants a secret in the host user's home, or skips where that home cannot take one. */
    static HostSide.PlantedSecret plant() {
        try {
            return HostSide.plantSecret();
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("cannot plant a secret in the host home " + HostSide.home() + ": " + e);
            throw new AssertionError("unreachable", e);
        }
    }
}
