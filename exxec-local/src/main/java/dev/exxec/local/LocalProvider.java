package dev.exxec.local;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Language;
import dev.exxec.local.internal.Interpreters;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code local} provider (alias {@code subprocess}); see {@link LocalEnvironment}. */
public final class LocalProvider implements ExecutionProvider {
    /** Its id. */
    public static final String ID = "local";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("subprocess");
    }

    @Override
    public String description() {
        return "a fresh interpreter process on this machine per execution (no sandbox)";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return LocalConfig.KEYS;
    }

    @Override
    public Availability availability() {
        Interpreters.Found found = Interpreters.find(LocalConfig.defaults());
        List<String> details = new ArrayList<>();
        for (Language language : Language.values()) {
            details.add(language.id() + ": " + found.describe(language));
        }
        if (!Interpreters.hasShell()) {
            return Availability.unavailable("no /bin/sh on this machine", "local needs a POSIX shell at /bin/sh");
        }
        if (found.languages().isEmpty()) {
            return new Availability(
                    false,
                    "no interpreter found: neither python3 nor node is on PATH",
                    "install Python 3 or Node.js, or set 'python' / 'node' to an interpreter's path",
                    details);
        }
        return Availability.available("runs " + found.languages() + " and shell commands", details);
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        return new HostEnvironment(LocalConfig.from(config), new Unconfined());
    }
}
