package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void jsonKeepsTypedValuesAndNestedMaps() throws IOException {
        ConfigFile c = ConfigFile.read(file("exxec.json", """
                {"provider": "local", "timeout": 10, "inheritEnv": true, "env": {"A": "b"}}
                """));

        assertThat(c.provider()).isEqualTo("local");
        assertThat(c.settings())
                .containsExactly(
                        Map.entry("timeout", 10), Map.entry("inheritEnv", true), Map.entry("env", Map.of("A", "b")));
    }

    @Test
    void yamlWithTypeAsTheOriginalLibraryNamesIt() throws IOException {
        ConfigFile c = ConfigFile.read(file("exxec.yaml", """
                type: subprocess
                timeout: 2.5
                env:
                  GREETING: hello
                """));

        assertThat(c.provider()).isEqualTo("subprocess");
        assertThat(c.settings()).containsEntry("timeout", 2.5).containsEntry("env", Map.of("GREETING", "hello"));
        assertThat(c.settings()).doesNotContainKey("type");
    }

    @Test
    void formatIsSniffedWithoutAKnownExtension() throws IOException {
        assertThat(ConfigFile.read(file("a.conf", " {\"timeout\": 3}")).settings())
                .containsEntry("timeout", 3);
        assertThat(ConfigFile.read(file("b.conf", "timeout: 4\n")).settings()).containsEntry("timeout", 4);
    }

    @Test
    void providerIsOptional() throws IOException {
        ConfigFile c = ConfigFile.read(file("c.yml", "timeout: 1\n"));

        assertThat(c.provider()).isNull();
    }

    @Test
    void providerAndTypeMayAgreeButNotDiffer() throws IOException {
        assertThat(ConfigFile.read(file("same.json", "{\"provider\":\"local\",\"type\":\"LOCAL\"}"))
                        .provider())
                .isEqualTo("local");
        assertThatThrownBy(() -> ConfigFile.read(file("two.json", "{\"provider\":\"local\",\"type\":\"docker\"}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("names two providers");
    }

    @Test
    void providerMustBeAName() throws IOException {
        assertThatThrownBy(() -> ConfigFile.read(file("p.yaml", "provider: {id: local}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'provider' must be a provider id");
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file not found: " + dir.resolve("nope.yaml"));
    }

    @Test
    void emptyFile() throws IOException {
        assertThatThrownBy(() -> ConfigFile.read(file("empty.yaml", "  \n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void malformedJsonSaysWhere() throws IOException {
        assertThatThrownBy(() -> ConfigFile.read(file("bad.json", "{\n  \"timeout\": 10,\n  oops\n}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid JSON")
                .hasMessageContaining("line 3")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void malformedYaml() throws IOException {
        assertThatThrownBy(() -> ConfigFile.read(file("bad.yaml", "timeout: [1,\nenv: {")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void mustBeOneObject() throws IOException {
        assertThatThrownBy(() -> ConfigFile.read(file("list.yaml", "- local\n- docker\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must hold one YAML object")
                .hasMessageContaining("not a list");
        assertThatThrownBy(() -> ConfigFile.read(file("word.json", "\"local\"")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a string");
    }
}
