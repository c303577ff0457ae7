package dev.exxec.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.sun.net.httpserver.HttpServer;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.NetworkAccess;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.docker.internal.ContainerReaper;
import dev.exxec.docker.internal.DockerConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What only the {@code docker} provider has: its lifecycle on the daemon, its configuration, its errors. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DockerEnvironmentTest {
    private static DockerClient client;

    @BeforeAll
    static void requireDocker() {
        DockerTests.requireDaemonAndImage();
        client = DockerConnection.to(DockerConnection.endpoint(null)).client();
    }

    /** Nothing of this JVM's is left on the daemon once every test closed its environments. */
    @AfterAll
    static void nothingOfThisJvmIsLeft() {
        if (client == null) {
            return;
        }
        String self = ContainerReaper.labels("-").get(ContainerReaper.OWNER);
        List<Container> left = client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(ContainerReaper.OWNER, self))
                .exec();
        assertThat(left).as("containers of this JVM after its tests").isEmpty();
    }

    private static ExecutionEnvironment docker(Map<String, ?> config) {
        return Exxec.environment("docker", config);
    }

    private static InspectContainerResponse inspect(ExecutionEnvironment env) {
        return client.inspectContainerCmd("exxec-" + env.id()).exec();
    }

    private static boolean containerExists(String name) {
        try {
            client.inspectContainerCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    // ---- lifecycle

    @Test
    void theContainerCarriesItsOwnerAndIsRemovedWithItsVolumesOnClose() {
        String name;
        List<String> volumes = new ArrayList<>();
        try (ExecutionEnvironment env = docker(Map.of("labels.team", "exxec-tests"))) {
            InspectContainerResponse c = inspect(env);
            name = c.getName().substring(1);
            Map<String, String> labels = c.getConfig().getLabels();
            assertThat(labels)
                    .containsEntry(ContainerReaper.EXXEC, "true")
                    .containsEntry(ContainerReaper.ENVIRONMENT, env.id())
                    .containsEntry("team", "exxec-tests")
                    .containsKey(ContainerReaper.CREATED);
            assertThat(labels.get(ContainerReaper.OWNER))
                    .endsWith("/" + ProcessHandle.current().pid() + "/"
                            + ProcessHandle.current()
                                    .info()
                                    .startInstant()
                                    .orElseThrow()
                                    .toEpochMilli());
            c.getMounts().forEach(m -> volumes.add(m.getName()));
            assertThat(env.execute(Code.python("_result = 6 * 7")).result()).isEqualTo(42);
        }
        assertThat(containerExists(name)).as("container %s after close", name).isFalse();
        for (String volume : volumes) {
            if (volume != null) {
                assertThatThrownBy(() -> client.inspectVolumeCmd(volume).exec())
                        .as("volume %s after close", volume)
                        .isInstanceOf(NotFoundException.class);
            }
        }
    }

    /**
     * A JVM killed with SIGKILL in the middle of an execution cannot remove its container: the next
     * start of the provider does, with the execution in it.
     */
    @Test
    void aKilledJvmsContainerIsRemovedByTheNextStart() throws Exception {
        Process child = Child.start("sleep");
        BufferedReader output = Child.output(child);
        String container;
        try {
            container = Child.awaitLine(output, "container=");
            Child.awaitLine(output, "executing");
            Thread.sleep(300); // the execution is under way in the container
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no hook runs
        }
        assertThat(containerExists(container))
                .as("the killed JVM's container, before the sweep")
                .isTrue();
        try (ExecutionEnvironment env = docker(Map.of())) {
            assertThat(containerExists(container))
                    .as("the killed JVM's container after the next start")
                    .isFalse();
            assertThat(env.execute(Code.python("_result = 1")).result()).isEqualTo(1);
        }
    }

    /** A JVM that exits without closing its environment removes the container in its shutdown hook. */
    @Test
    void aJvmThatExitsWithoutClosingRemovesItsContainer() throws Exception {
        Process child = Child.start("exit");
        String container;
        try {
            container = Child.awaitLine(Child.output(child), "container=");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(containerExists(container))
                .as("the container of a JVM that exited")
                .isFalse();
    }

    /** Runs in a child JVM: starts an environment, prints its container, then sleeps in it or exits. */
    static final class Child {
        static Process start(String mode) throws IOException {
            return new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            Child.class.getName(),
                            mode)
                    .redirectErrorStream(true)
                    .start();
        }

        static BufferedReader output(Process child) {
            return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads the child's output up to a line starting with {@code prefix}; returns the rest of it. */
        static String awaitLine(BufferedReader lines, String prefix) throws IOException {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
                seen.append(line).append('\n');
            }
            throw new AssertionError("the child JVM ended without printing " + prefix + ":\n" + seen);
        }

        public static void main(String[] args) {
            ExecutionEnvironment env = Exxec.environment("docker", Map.of());
            System.out.println("container=exxec-" + env.id());
            if (args[0].equals("exit")) {
                System.exit(0); // without close(): the shutdown hook's work
            }
            System.out.println("executing");
            System.out.flush();
            env.execute(Code.python("import time\ntime.sleep(300)"));
        }
    }

    // ---- clear errors

    @Test
    void aDaemonThatIsNotRunningIsNamed() {
        assertThatThrownBy(() -> docker(Map.of("host", "unix:///nonexistent/docker.sock")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("not running")
                .hasMessageContaining("/nonexistent/docker.sock");
        assertThatThrownBy(() -> docker(Map.of("host", "tcp://127.0.0.1:1")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("tcp://127.0.0.1:1")
                .hasMessageContaining("does not answer");
    }

    @Test
    void aMissingImageIsNamed() {
        assertThatThrownBy(() -> docker(Map.of("image", "exxec/no-such-image:1", "pull", "never")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("exxec/no-such-image:1")
                .hasMessageContaining("scripts/docker-images.sh");
        // Pulling from a registry on the loopback where nothing listens: the pull fails, and says so.
        assertThatThrownBy(() -> docker(Map.of("image", "127.0.0.1:1/exxec/no-such-image:1")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("127.0.0.1:1/exxec/no-such-image:1")
                .hasMessageContaining("pulling it failed");
    }

    @Test
    void badConfigurationNamesTheKey() {
        Map<Map<String, String>, String> cases = Map.of(
                Map.of("memory", "lots"), "memory",
                Map.of("memory", "1k"), "memory",
                Map.of("cpus", "-1"), "cpus",
                Map.of("pids", "0"), "pids",
                Map.of("pull", "sometimes"), "pull",
                Map.of("mounts", "relative:/data"), "mounts",
                Map.of("toolServer.api", "http"), "toolServer.api",
                Map.of("host", "http://localhost"), "host",
                Map.of("inheritEnv", "true"), "inheritEnv",
                Map.of("imagee", "x"), "imagee");
        cases.forEach((config, key) -> assertThatThrownBy(() -> docker(config))
                .as("%s", config)
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.key()).as(e.getMessage()).isEqualTo(key)));
    }

    @Test
    void anUnknownRuntimeIsNamedAndLeavesNothing() {
        String self = ContainerReaper.labels("-").get(ContainerReaper.OWNER);
        int before = client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(ContainerReaper.OWNER, self))
                .exec()
                .size();
        assertThatThrownBy(() -> docker(Map.of("runtime", "exxec-no-such-runtime")))
                .isInstanceOf(EnvironmentStartException.class)
                .hasMessageContaining("exxec-no-such-runtime");
        assertThat(client.listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(Map.of(ContainerReaper.OWNER, self))
                        .exec())
                .as("half-made containers")
                .hasSize(before);
    }

    // ---- configuration

    @Test
    void limitsAndSecurityReachTheContainer() {
        try (ExecutionEnvironment env = docker(Map.of("memory", "300m", "cpus", "0.5", "pids", "100"))) {
            var host = inspect(env).getHostConfig();
            assertThat(host.getMemory()).isEqualTo(300L << 20);
            assertThat(host.getMemorySwap()).as("no swap beyond the memory").isEqualTo(300L << 20);
            assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);
            assertThat(host.getPidsLimit()).isEqualTo(100L);
            assertThat(host.getReadonlyRootfs()).isTrue();
            assertThat(host.getNetworkMode()).isEqualTo("none");
            assertThat(host.getSecurityOpts()).contains("no-new-privileges");
            assertThat(env.capabilities().network()).isEqualTo(NetworkAccess.NONE);
            assertThat(env.capabilities().limits().memoryBytes()).isEqualTo(300L << 20);
            ExecutionResult r = env.executeCommand(Command.of("cat /proc/self/status | grep CapEff"));
            assertThat(r.stdout()).as("effective capabilities of the code").contains("00000000000000fb");
        }
    }

    @Test
    void aNamedNetworkIsJoined() {
        String name = "exxec-test-" + java.util.UUID.randomUUID();
        String network = client.createNetworkCmd()
                .withName(name)
                .withInternal(true)
                .exec()
                .getId();
        try (ExecutionEnvironment env = docker(Map.of("network", name))) {
            assertThat(inspect(env).getNetworkSettings().getNetworks()).containsOnlyKeys(name);
            assertThat(env.capabilities().network()).isEqualTo(NetworkAccess.FULL);
            ExecutionResult r = env.executeCommand(Command.of("ls /sys/class/net"));
            assertThat(r.stdout().lines().toList()).as("%s", r).contains("lo").hasSizeGreaterThan(1);
        } finally {
            client.removeNetworkCmd(network).exec();
        }
    }

    @Test
    void aUserRunsTheCodeAndOwnsTheWorkspace() {
        try (ExecutionEnvironment env = docker(Map.of("user", "1234:1234"))) {
            ExecutionResult r =
                    env.executeCommand(Command.of("id -u; id -g; touch made-by-code && stat -c %u made-by-code"));
            assertThat(r.stdout().lines().toList()).containsExactly("1234", "1234", "1234");
            env.files().writeString("made-by-files.txt", "x");
            assertThat(env.executeCommand(Command.of("stat -c %u:%g made-by-files.txt"))
                            .stdout()
                            .strip())
                    .isEqualTo("1234:1234");
            assertThat(env.executeCommand(Command.of("touch /etc/x")).success())
                    .as("the root file system is not the user's")
                    .isFalse();
        }
    }

    @Test
    void aWritableRootFileSystemWhenAskedFor() {
        try (ExecutionEnvironment env = docker(Map.of("readOnly", "false"))) {
            assertThat(env.executeCommand(Command.of("echo hi > /opt/written && cat /opt/written"))
                            .stdout())
                    .isEqualTo("hi\n");
        }
    }

    @Test
    void mountsBindHostDirectories(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("data.txt"), "from the host");
        dir.toFile().setReadable(true, false);
        dir.resolve("data.txt").toFile().setReadable(true, false);
        try (ExecutionEnvironment env = docker(Map.of("mounts", dir + ":/data:ro"))) {
            assertThat(env.executeCommand(Command.of("cat /data/data.txt")).stdout())
                    .isEqualTo("from the host");
            ExecutionResult write = env.executeCommand(Command.of("echo x > /data/new.txt"));
            assertThat(write.success()).as("a read-only mount").isFalse();
        }
        assertThat(dir.resolve("new.txt")).doesNotExist();
    }

    @Test
    void sharedSettingsEnvCwdAndTimeoutApply() {
        try (ExecutionEnvironment env = docker(Map.of("env.GREETING", "hello", "cwd", "sub", "timeout", "1.5"))) {
            env.files().mkdir("sub");
            ExecutionResult r = env.executeCommand(Command.of("echo $GREETING; pwd"));
            assertThat(r.stdout()).isEqualTo("hello\n/workspace/sub\n");
            long start = System.nanoTime();
            ExecutionResult slow = env.executeCommand(Command.of("sleep 30"));
            assertThat(slow.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    // ---- tool servers

    /**
     * A service on the host's loopback is reachable from the code by its name; another service on the
     * host's loopback is not, nor is the internet.
     */
    @Test
    void aToolServerIsReachableByNameAndNothingElse() throws IOException {
        HttpServer declared = server("tool");
        HttpServer undeclared = server("secret");
        int port = declared.getAddress().getPort();
        try (ExecutionEnvironment env = docker(Map.of("toolServer.tools", String.valueOf(port)))) {
            assertThat(env.capabilities().network()).isEqualTo(NetworkAccess.RESTRICTED);
            ExecutionResult r = env.execute(Code.python("""
                    import urllib.request
                    _result = urllib.request.urlopen("http://tools:%d/ask", timeout=5).read().decode()
                    """.formatted(port)));
            assertThat(r.result()).as("%s", r).isEqualTo("tool says hi to /ask");
            ExecutionResult other = env.execute(
                    Code.python("""
                    import socket
                    outcomes = []
                    for host, port in (("1.1.1.1", 80), ("tools", %d)):
                        try:
                            socket.create_connection((host, port), timeout=2).close()
                            outcomes.append("connected")
                        except OSError as e:
                            outcomes.append(type(e).__name__)
                    _result = outcomes
                    """.formatted(undeclared.getAddress().getPort())));
            assertThat(String.valueOf(other.result())).as("%s", other).doesNotContain("connected");
        } finally {
            declared.stop(0);
            undeclared.stop(0);
        }
    }

    private static HttpServer server(String who) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = (who + " says hi to " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
