package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.ProcessSpec;
import dev.exxec.ProviderNotFoundException;
import dev.exxec.TerminalSize;
import dev.exxec.UnsupportedCapabilityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a clear exception, never a failed result: empty code, unknown and malformed config
 * keys (named), unknown providers (the known ones listed), undeclared languages and features.
 */
abstract class BadInputContract extends KitArea {

    BadInputContract(EnvironmentFactory factory) {
        super(factory);
    }

    @Test
    void emptyCodeIsRejected() {
        for (String blank : List.of("", "   ", "\n\t \n")) {
            assertThatThrownBy(() -> Code.python(blank)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Code.javascript(blank)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Code.of(blank)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Command.of(blank)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ProcessSpec.of(blank)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> env().execute(blank)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> env().executeCommand(blank)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * A variable whose name is not a shell identifier (empty, holding {@code =}, NUL, {@code :} or
     * {@code -}...), or whose value holds NUL, is refused with the name said, before anything runs:
     * the second review saw such names end in a launcher's failure or a driver's traceback,
     * differently per path, and the shells that docker and ssh launch code through drop the rest, so
     * a call would get them on one provider and not on another. So do the names bash keeps read-only
     * ({@code UID}, {@code SHELLOPTS}...) where {@code /bin/sh} is bash: ssh's launcher dropped them
     * without a word.
     */
    @Test
    void badVariablesAreRefusedByName() {
        for (Map<String, String> bad : List.of(
                Map.of("A=B", "1"),
                Map.of("", "1"),
                Map.of("A\0B", "1"),
                Map.of("A:-.x", "1"),
                Map.of("1A", "1"),
                Map.of("UID", "1"),
                Map.of("SHELLOPTS", "1"),
                Map.of("SECRETISH", "a\0b"))) {
            List<ThrowingCallable> uses = List.of(
                    () -> Code.python("_result = 1").withEnv(bad),
                    () -> Command.of("true").withEnv(bad),
                    () -> env().execute(Code.python("_result = 1").withEnv(bad)));
            for (ThrowingCallable use : uses) {
                assertThatThrownBy(use)
                        .as("variables %s", bad.keySet())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("environment variable")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("a\0b"));
            }
        }
        assertThatThrownBy(() -> newEnv(Map.of("env", Map.of("A=B", "1"))))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("env"));
    }

    @Test
    void negativeTimeoutIsRejected() {
        assertThatThrownBy(() -> Code.python("x = 1").withTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Command.of("true").withTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> newEnv(Map.of("timeout", "-1")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("timeout"));
    }

    @Test
    void unknownConfigKeyIsNamed() {
        assertThatThrownBy(() -> newEnv(Map.of("exxecKitNoSuchKey", "1")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("exxecKitNoSuchKey");
                    assertThat(e.getMessage()).contains("exxecKitNoSuchKey");
                });
    }

    @Test
    void malformedConfigValueIsNamed() {
        assertThatThrownBy(() -> newEnv(Map.of("timeout", "soon"))).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).isEqualTo("timeout");
            assertThat(e.getMessage()).contains("timeout").contains("soon");
        });
        assertThatThrownBy(() -> newEnv(Map.of("outputLimit", "lots")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("outputLimit"));
        assertThatThrownBy(() -> newEnv(Map.of("language", "cobol")))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("language"));
    }

    @Test
    void unknownProviderListsTheKnownOnes() {
        assertThatThrownBy(() -> Exxec.environment("exxec-kit-no-such-provider", Map.of()))
                .isInstanceOfSatisfying(ProviderNotFoundException.class, e -> {
                    String id = Exxec.provider(factory().providerId()).id();
                    assertThat(e.known()).contains(id);
                    assertThat(e.getMessage())
                            .contains("exxec-kit-no-such-provider")
                            .contains(id);
                });
    }

    @Test
    void undeclaredLanguageIsRefused() {
        List<Language> undeclared = new ArrayList<>();
        for (Language l : Language.values()) {
            if (!caps().supports(l)) {
                undeclared.add(l);
            }
        }
        assumeTrue(!undeclared.isEmpty(), "the environment declares every language");
        for (Language l : undeclared) {
            assertThatThrownBy(() -> env().execute(Code.of(l, "x = 1")))
                    .isInstanceOf(UnsupportedCapabilityException.class);
            assertThatThrownBy(() -> env().stream(Code.of(l, "x = 1")))
                    .isInstanceOf(UnsupportedCapabilityException.class);
        }
    }

    @Test
    void undeclaredFeaturesAreRefused() {
        Capabilities caps = caps();
        ExecutionEnvironment env = env();
        List<ThrowingCallable> calls = new ArrayList<>();
        if (!caps.commands()) {
            calls.add(() -> env.executeCommand("true"));
        }
        if (!caps.files()) {
            calls.add(() -> env.files().exists("x"));
        }
        if (!caps.processes()) {
            calls.add(() -> env.processes().start("true"));
        }
        if (!caps.terminals()) {
            calls.add(() -> env.terminals().open(TerminalSize.of(80, 24)));
        }
        if (!caps.sessions()) {
            calls.add(() -> env.session(env.defaultLanguage()));
        }
        assumeTrue(!calls.isEmpty(), "the environment declares every feature");
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(UnsupportedCapabilityException.class);
        }
    }
}
