package dev.exxec.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the {@code docker} configuration; needs no daemon. */
class DockerConfigTest {

    @Test
    void defaultsAreLockedDown() {
        DockerConfig c = DockerConfig.from(Map.of());
        assertThat(c.image()).isEqualTo(DockerConfig.DEFAULT_IMAGE);
        assertThat(c.pull()).isEqualTo(DockerConfig.Pull.MISSING);
        assertThat(c.network()).isEqualTo("none");
        assertThat(c.memoryBytes()).isEqualTo(1L << 30);
        assertThat(c.pids()).isEqualTo(512);
        assertThat(c.readOnly()).isTrue();
        assertThat(c.cpus()).isNull();
        assertThat(c.user()).as("not root unless asked for").isEqualTo("65532:65532");
        assertThat(c.host()).isNull();
        assertThat(c.toolServers()).isEmpty();
    }

    @Test
    void everyKeyIsRead() {
        DockerConfig c = DockerConfig.from(Map.ofEntries(
                Map.entry("host", "tcp://127.0.0.1:2375"),
                Map.entry("image", "python:3.13-slim"),
                Map.entry("pull", "never"),
                Map.entry("runtime", "runsc"),
                Map.entry("network", "NONE"),
                Map.entry("memory", "512m"),
                Map.entry("cpus", "1.5"),
                Map.entry("pids", 64),
                Map.entry("readOnly", false),
                Map.entry("user", "1000:1000"),
                Map.entry("tmpSize", "64m"),
                Map.entry("mounts", List.of("/data:/data:ro", "/src:/src")),
                Map.entry("labels", Map.of("team", "ml")),
                Map.entry("toolServer.tools", "8080"),
                Map.entry("timeout", "2.5"),
                Map.entry("env.A", "b"),
                Map.entry("cwd", "sub"),
                Map.entry("python", "python3.13"),
                Map.entry("node", "nodejs")));
        assertThat(c.host()).isEqualTo("tcp://127.0.0.1:2375");
        assertThat(c.image()).isEqualTo("python:3.13-slim");
        assertThat(c.pull()).isEqualTo(DockerConfig.Pull.NEVER);
        assertThat(c.runtime()).isEqualTo("runsc");
        assertThat(c.network()).isEqualTo("none");
        assertThat(c.memoryBytes()).isEqualTo(512L << 20);
        assertThat(c.cpus()).isEqualTo(1.5);
        assertThat(c.pids()).isEqualTo(64);
        assertThat(c.readOnly()).isFalse();
        assertThat(c.user()).isEqualTo("1000:1000");
        assertThat(c.tmpSizeBytes()).isEqualTo(64L << 20);
        assertThat(c.mounts()).containsExactly("/data:/data:ro", "/src:/src");
        assertThat(c.labels()).containsEntry("team", "ml");
        assertThat(c.toolServers()).containsEntry("tools", 8080);
        assertThat(c.settings().timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.settings().env()).containsEntry("A", "b");
        assertThat(c.settings().cwd()).isEqualTo("sub");
        assertThat(c.python()).isEqualTo("python3.13");
        assertThat(c.node()).isEqualTo("nodejs");
    }

    @Test
    void badValuesNameTheirKey() {
        Map<Map<String, ?>, String> cases = Map.ofEntries(
                Map.entry(Map.of("memory", "8k"), "memory"),
                Map.entry(Map.of("cpus", "many"), "cpus"),
                Map.entry(Map.of("pids", "-3"), "pids"),
                Map.entry(Map.of("pull", "sometimes"), "pull"),
                Map.entry(Map.of("image", " "), "image"),
                Map.entry(Map.of("mounts", "data:/data"), "mounts"),
                Map.entry(Map.of("toolServer.tools", "99999"), "toolServer.tools"),
                Map.entry(Map.of("toolServer.bad_name!", "80"), "toolServer.bad_name!"),
                Map.entry(Map.of("inheritEnv", true), "inheritEnv"),
                Map.entry(Map.of("volumes", "/x"), "volumes"),
                Map.entry(Map.of("user", "a b"), "user"),
                Map.entry(Map.of("cwd", "../outside"), "cwd"),
                Map.entry(Map.of("cwd", "/tmp"), "cwd"));
        cases.forEach((config, key) -> assertThatThrownBy(() -> DockerConfig.from(config))
                .as("%s", config)
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.key()).as(e.getMessage()).isEqualTo(key)));
    }

    @Test
    void aWorkingDirectoryInTheWorkspaceIsAccepted() {
        assertThat(DockerConfig.from(Map.of("cwd", "a/../b")).settings().cwd()).isEqualTo("a/../b");
        assertThat(DockerConfig.from(Map.of("cwd", "/workspace/sub")).settings().cwd())
                .isEqualTo("/workspace/sub");
        assertThat(DockerConfig.from(Map.of("user", "root")).user()).isEqualTo("root");
    }

    @Test
    void toolServersNeedTheContainersOwnNetwork() {
        assertThatThrownBy(() -> DockerConfig.from(Map.of("toolServer.tools", "80", "network", "host")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("network=host");
    }
}
