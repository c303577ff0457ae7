package dev.exxec.cli;

import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * A provider and whether it works here, as {@code exxec providers} shows it.
 *
 * @param provider the provider
 * @param availability what its check found; a check that threw counts as unavailable
 */
record ProviderReport(ExecutionProvider provider, Availability availability) {

    /** Checks every provider at once: checks probe daemons and interpreters, and they add up. */
    static List<ProviderReport> check(List<ExecutionProvider> providers) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Availability>> checks = new ArrayList<>();
            for (ExecutionProvider p : providers) {
                checks.add(pool.submit(() -> availabilityOf(p)));
            }
            List<ProviderReport> reports = new ArrayList<>();
            for (int i = 0; i < providers.size(); i++) {
                reports.add(new ProviderReport(providers.get(i), await(checks.get(i))));
            }
            return reports;
        }
    }

    private static Availability availabilityOf(ExecutionProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException e) {
            return Availability.unavailable(
                    "its availability check failed: " + e,
                    "report this as a bug of the '" + p.id() + "' provider (run with --verbose for details)");
        }
    }

    private static Availability await(Future<Availability> check) {
        try {
            return check.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking providers", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Plain text: a heading line, then indented facts; with keys, the configuration keys too. */
    String text(boolean withKeys) {
        StringBuilder s = new StringBuilder();
        s.append(provider.id());
        if (!provider.aliases().isEmpty()) {
            s.append(" (alias ")
                    .append(String.join(
                            ", ", provider.aliases().stream().sorted().toList()))
                    .append(')');
        }
        s.append(availability.available() ? ": available" : ": NOT AVAILABLE").append('\n');
        s.append("    ").append(provider.description()).append('\n');
        if (availability.available()) {
            s.append("    ").append(availability.summary()).append('\n');
        } else {
            s.append("    why: ").append(availability.summary()).append('\n');
            s.append("    fix: ").append(availability.fix()).append('\n');
        }
        for (String detail : availability.details()) {
            s.append("      ").append(detail).append('\n');
        }
        if (withKeys) {
            s.append("    config keys (--set KEY=VALUE, or in a --config file):\n");
            int width = provider.configKeys().stream()
                    .mapToInt(k -> k.name().length())
                    .max()
                    .orElse(0);
            for (ExecutionProvider.ConfigKey key : provider.configKeys()) {
                s.append("      ")
                        .append(key.name())
                        .append(" ".repeat(width - key.name().length() + 2))
                        .append(key.description())
                        .append('\n');
            }
        }
        return s.toString();
    }

    /** The JSON object of {@code providers --json}. */
    Map<String, @Nullable Object> json() {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("id", provider.id());
        m.put("aliases", provider.aliases().stream().sorted().toList());
        m.put("description", provider.description());
        m.put("available", availability.available());
        m.put("summary", availability.summary());
        m.put("fix", availability.fix());
        m.put("details", availability.details());
        List<Map<String, String>> keys = new ArrayList<>();
        for (ExecutionProvider.ConfigKey key : provider.configKeys()) {
            Map<String, String> k = new LinkedHashMap<>();
            k.put("name", key.name());
            k.put("description", key.description());
            keys.add(k);
        }
        m.put("configKeys", keys);
        return m;
    }
}
