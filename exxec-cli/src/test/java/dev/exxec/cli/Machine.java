package dev.exxec.cli;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the end-to-end tests need from this machine: the {@code local} provider's interpreters and the
 * repository's {@code examples/}. Missing ones skip the test with the reason, except under {@code
 * EXXEC_REQUIRE_ALL=1} (CI), where a skip would hide a broken set-up.
 */
final class Machine {
    private Machine() {}

    /** Skips (or, in CI, fails) unless {@code local} runs this language here. */
    static void requireLanguage(Language language) {
        boolean runs;
        try (ExecutionEnvironment env = Exxec.environment("local")) {
            runs = env.capabilities().languages().contains(language);
        }
        Requirements.require(
                runs,
                "the local provider finds no " + language + " interpreter on this machine ("
                        + (language == Language.TYPESCRIPT ? "npm install -g tsx; " : "")
                        + "see ./exxec providers local)");
    }

    /** Skips (or, in CI, fails) unless the {@code docker} provider starts here with its default image. */
    static void requireDocker() {
        try (ExecutionEnvironment env = Exxec.environment("docker", java.util.Map.of("pull", "never"))) {
            return;
        } catch (dev.exxec.ProviderUnavailableException e) {
            Requirements.require(
                    false,
                    "the docker provider does not work here: " + e.getMessage()
                            + " (apt-get install docker.io, start dockerd, then scripts/docker-images.sh)");
        }
    }

    /** A file of the repository's examples directory. */
    static Path example(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "examples/" + name + " not found above " + Path.of("").toAbsolutePath());
    }
}
