package dev.exxec.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.ConfigException;
import dev.exxec.Language;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
    private static final List<ExecutionProvider.ConfigKey> KEYS = List.of(
            new ExecutionProvider.ConfigKey("timeout", ""),
            new ExecutionProvider.ConfigKey("python", ""),
            new ExecutionProvider.ConfigKey("env.NAME", ""));

    @Test
    void readsDurationsInEveryForm() {
        ConfigReader r =
                new ConfigReader("p", Map.of("a", 30, "b", "1.5", "c", "250ms", "d", "2m", "e", "PT3S", "f", 0), KEYS);
        assertThat(r.duration("a")).contains(Duration.ofSeconds(30));
        assertThat(r.duration("b")).contains(Duration.ofMillis(1500));
        assertThat(r.duration("c")).contains(Duration.ofMillis(250));
        assertThat(r.duration("d")).contains(Duration.ofMinutes(2));
        assertThat(r.duration("e")).contains(Duration.ofSeconds(3));
        assertThat(r.duration("f")).contains(Duration.ZERO);
        assertThat(r.duration("absent")).isEmpty();
    }

    @Test
    void aMalformedValueNamesTheKey() {
        ConfigReader r = new ConfigReader("local", Map.of("timeout", "soon"), KEYS);
        assertThatThrownBy(() -> r.duration("timeout"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'timeout'")
                .hasMessageContaining("soon")
                .extracting(e -> ((ConfigException) e).key())
                .isEqualTo("timeout");
        assertThatThrownBy(() -> new ConfigReader("local", Map.of("t", "-1"), KEYS).duration("t"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void readsSizesBooleansAndLanguages() {
        ConfigReader r = new ConfigReader(
                "p", Map.of("a", "64k", "b", "10MiB", "c", 1024, "d", "yes", "e", false, "f", "js"), KEYS);
        assertThat(r.bytes("a")).contains(65536L);
        assertThat(r.bytes("b")).contains(10L << 20);
        assertThat(r.bytes("c")).contains(1024L);
        assertThat(r.bool("d")).contains(true);
        assertThat(r.bool("e")).contains(false);
        assertThat(r.language("f")).contains(Language.JAVASCRIPT);
        assertThatThrownBy(() -> new ConfigReader("p", Map.of("x", "maybe"), KEYS).bool("x"))
                .isInstanceOf(ConfigException.class);
    }

    private enum Network {
        NONE,
        HOST
    }

    @Test
    void readsIntegersChoicesAndLists() {
        ConfigReader r = new ConfigReader(
                "p", Map.of("n", "64", "m", 7, "net", "Host", "binds", "/a, /b,,", "list", List.of("/c", "/d")), KEYS);
        assertThat(r.integer("n")).contains(64);
        assertThat(r.integer("m")).contains(7);
        assertThat(r.choice("net", Network.class)).contains(Network.HOST);
        assertThat(r.list("binds")).containsExactly("/a", "/b");
        assertThat(r.list("list")).containsExactly("/c", "/d");
        assertThatThrownBy(() -> new ConfigReader("p", Map.of("net", "bridge"), KEYS).choice("net", Network.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("one of none, host");
        assertThatThrownBy(() -> new ConfigReader("p", Map.of("n", "many"), KEYS).integer("n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a whole number");
    }

    @Test
    void mergesEnvFromAMapAndDottedKeys() {
        ConfigReader r =
                new ConfigReader("p", Map.of("env", Map.of("A", "1", "B", "2"), "env.B", "3", "env.C", "x=y"), KEYS);
        assertThat(r.map("env")).containsEntry("A", "1").containsEntry("B", "3").containsEntry("C", "x=y");
        r.finish();
    }

    /**
     * A variable's value is text: a string, or a number written as JSON writes it. Anything else
     * (YAML's {@code !!binary}, a list, a map, null, a boolean) used to become Java's rendering of it
     * ({@code [B@76f2b07d}, {@code [x]}, {@code ""}, {@code true}) without a word; now it is refused,
     * naming the variable's key and what it got.
     */
    @Test
    void aVariableThatIsNotTextIsRefusedNamingItsKey() {
        java.util.Map<String, Object> nulls = new java.util.HashMap<>();
        nulls.put("A", null);
        List<Map.Entry<Object, String>> bad = List.of(
                Map.entry(new byte[] {1, 2}, "binary data"),
                Map.entry(List.of("x"), "a list"),
                Map.entry(Map.of("B", "x"), "a map"),
                Map.entry(true, "a boolean"),
                Map.entry(Double.NaN, "a number that is not finite"));
        for (Map.Entry<Object, String> b : bad) {
            for (Map<String, Object> config :
                    List.<Map<String, Object>>of(Map.of("env", Map.of("A", b.getKey())), Map.of("env.A", b.getKey()))) {
                assertThatThrownBy(() -> new ConfigReader("p", config, KEYS).map("env"))
                        .as("env.A = %s", b.getValue())
                        .isInstanceOfSatisfying(
                                ConfigException.class, e -> assertThat(e.key()).isEqualTo("env.A"))
                        .hasMessageContaining("env.A: must be a string or a number, got " + b.getValue());
            }
        }
        for (Map<String, Object> config : List.<Map<String, Object>>of(Map.of("env", nulls), withPrefix(nulls))) {
            assertThatThrownBy(() -> new ConfigReader("p", config, KEYS).map("env"))
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("env.A"))
                    .hasMessageContaining("env.A: must be a string or a number, got null");
        }
    }

    @Test
    void binaryDataIsNotAString() {
        assertThatThrownBy(() -> new ConfigReader("ssh", Map.of("password", new byte[] {1}), KEYS).string("password"))
                .isInstanceOfSatisfying(
                        ConfigException.class, e -> assertThat(e.key()).isEqualTo("password"))
                .hasMessageContaining("binary data")
                .hasMessageNotContaining("[B@");
    }

    private static Map<String, Object> withPrefix(Map<String, Object> env) {
        Map<String, Object> dotted = new java.util.HashMap<>();
        env.forEach((k, v) -> dotted.put("env." + k, v));
        return dotted;
    }

    @Test
    void aNumericVariableIsItsJsonText() {
        ConfigReader r = new ConfigReader(
                "p",
                Map.of(
                        "env",
                        Map.of(
                                "PORT",
                                8080,
                                "BIG",
                                12345678901L,
                                "RATE",
                                1.5,
                                "WHOLE",
                                3.0,
                                "HUGE",
                                new java.math.BigInteger("123456789012345678901234567890")),
                        "env.EXACT",
                        new java.math.BigDecimal("0.10")),
                KEYS);
        assertThat(r.map("env"))
                .containsEntry("PORT", "8080")
                .containsEntry("BIG", "12345678901")
                .containsEntry("RATE", "1.5")
                .containsEntry("WHOLE", "3")
                .containsEntry("HUGE", "123456789012345678901234567890")
                .containsEntry("EXACT", "0.10");
    }

    @Test
    void unknownKeysAreNamedWithASuggestion() {
        ConfigReader r = new ConfigReader("local", Map.of("pyhton", "x"), KEYS);
        r.string("python");
        assertThatThrownBy(r::finish)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'pyhton'")
                .hasMessageContaining("did you mean 'python'")
                .hasMessageContaining("known keys: timeout, python, env.NAME");
    }
}
