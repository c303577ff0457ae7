package dev.exxec.graalvm;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Language;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.graalvm.internal.Polyglot;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code graalvm} provider (alias {@code inprocess}); see {@link GraalvmEnvironment}. One
 * instance holds one polyglot engine that all its environments share, built when the first
 * environment starts. The languages are those whose artifacts are on the class path:
 * {@code org.graalvm.polyglot:python-community} and {@code org.graalvm.polyglot:js-community}.
 */
public final class GraalvmProvider implements ExecutionProvider {
    /** Its id. */
    public static final String ID = "graalvm";

    private final Polyglot polyglot = new Polyglot();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("inprocess");
    }

    @Override
    public String description() {
        return "Python (GraalPy) and JavaScript (GraalJS) inside this JVM, a fresh context per call; not isolated";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return GraalvmConfig.KEYS;
    }

    @Override
    public Availability availability() {
        Set<Language> languages = polyglot.languages();
        if (languages.isEmpty()) {
            return Availability.unavailable(
                    "neither GraalPy nor GraalJS is on the class path",
                    "add org.graalvm.polyglot:python-community and/or org.graalvm.polyglot:js-community:"
                            + Polyglot.GRAALVM_VERSION + " (type pom)");
        }
        List<String> details = new ArrayList<>();
        for (Language l : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
            String missing = Polyglot.missing(l, languages);
            details.add(l.id() + ": " + (missing == null ? "on the class path" : missing));
        }
        details.add("isolation none: in-JVM code is not a security boundary; use sandbox or docker for untrusted code");
        return Availability.available("GraalVM polyglot " + Polyglot.GRAALVM_VERSION + " runs " + languages, details);
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        return create(GraalvmConfig.from(config));
    }

    /** Creates an environment from a configuration record. */
    public ExecutionEnvironment create(GraalvmConfig config) {
        if (polyglot.languages().isEmpty()) {
            throw new ProviderUnavailableException("graalvm: " + availability().summary() + "; fix: "
                    + availability().fix());
        }
        return new GraalvmEnvironment(config, polyglot);
    }
}
