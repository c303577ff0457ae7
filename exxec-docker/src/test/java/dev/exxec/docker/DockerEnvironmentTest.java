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
import dev.exxec.ExxecException;
import dev.exxec.FileOperationException;
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
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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

    /**
     * This JVM's environment containers, without the helper that prepares an image (removed in the
     * background after the first environment of an image started).
     */
    private static List<Container> environmentContainers() {
        String self = ContainerReaper.labels("-").get(ContainerReaper.OWNER);
        return client
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(ContainerReaper.OWNER, self))
                .exec()
                .stream()
                .filter(c -> c.getNames() == null
                        || java.util.Arrays.stream(c.getNames()).noneMatch(n -> n.startsWith("/exxec-prepare-")))
                .toList();
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
        int before = environmentContainers().size();
        assertThatThrownBy(() -> docker(Map.of("runtime", "exxec-no-such-runtime")))
                .isInstanceOf(EnvironmentStartException.class)
                .hasMessageContaining("exxec-no-such-runtime");
        assertThat(environmentContainers()).as("half-made containers").hasSize(before);
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
            assertThat(r.stdout())
                    .as("effective capabilities of the code, not root")
                    .contains("0000000000000000");
        }
        try (ExecutionEnvironment env = docker(Map.of("user", "root"))) {
            ExecutionResult r = env.executeCommand(Command.of("cat /proc/self/status | grep CapEff"));
            assertThat(r.stdout())
                    .as("effective capabilities of the code as root")
                    .contains("00000000000000fb");
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

    // ---- the code's user and exxec's helpers (issue 13, finding 7)

    /** Not root unless asked for, with a name, a home and the workspace, as a login would give. */
    @Test
    void theCodeRunsAsAnUnprivilegedUserByDefault() {
        try (ExecutionEnvironment env = docker(Map.of())) {
            ExecutionResult r = env.executeCommand(Command.of(
                    "id -u; id -g; id -un; echo ~; stat -c %u:%g /workspace; touch mine && stat -c %u mine"));
            assertThat(r.stdout().lines().toList())
                    .as("%s", r)
                    .containsExactly("65532", "65532", "exxec", "/workspace", "65532:65532", "65532");
            ExecutionResult python = env.execute(Code.python("""
                    import getpass, os, pwd
                    _result = [getpass.getuser(), os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir]
                    """));
            assertThat(python.result()).as("%s", python).isEqualTo(List.of("exxec", "/workspace", "/workspace"));
            env.files().writeString("by-files.txt", "x");
            assertThat(env.executeCommand(Command.of("stat -c %u:%g by-files.txt"))
                            .stdout()
                            .strip())
                    .isEqualTo("65532:65532");
        }
    }

    /**
     * exxec's scripts and drivers cannot be changed by the code, not even by root (a read-only root
     * file system, no capability to remount it), and a deadline still kills after trying.
     */
    @Test
    void theHelpersAreReadOnlyEvenForRoot() {
        for (String user : List.of("root", "65532:65532")) {
            try (ExecutionEnvironment env = docker(Map.of("user", user))) {
                ExecutionResult r = env.executeCommand(
                        Command.of("for f in /opt/exxec/*; do echo 'exit 0' > \"$f\" && echo \"wrote $f\"; done;"
                                + " touch /opt/exxec/new && echo made; mount -o remount,rw / && echo remounted; true"));
                assertThat(r.stdout()).as("as %s: %s", user, r).doesNotContain("wrote", "made", "remounted");
                long start = System.nanoTime();
                ExecutionResult slow = env.executeCommand(Command.of("sleep 60").withTimeout(Duration.ofSeconds(1)));
                assertThat(slow.errorType()).isEqualTo(ErrorTypes.TIMEOUT);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                assertThat(env.execute(Code.python("_result = 1")).result()).isEqualTo(1);
            }
        }
    }

    /**
     * Root in a writable container can defeat the in-container killer: kill it and leave kill.sh
     * doing nothing, or kill it and leave a /bin/sh doing nothing, or stop it. The daemon then shows
     * the call still running, and exxec stops the whole container, says so, and refuses the
     * environment's later calls.
     */
    @Test
    void aKillTheCodeDefeatedStopsTheContainer() {
        String killers = """
                def killers():
                    for pid in os.listdir("/proc"):
                        try:
                            if pid.isdigit() and b"killer.sh" in open("/proc/%s/cmdline" % pid, "rb").read():
                                yield int(pid)
                        except OSError:
                            pass
                """;
        Map<String, String> defeats = new java.util.LinkedHashMap<>();
        defeats.put("the killer killed, kill.sh doing nothing", """
                open("/opt/exxec/kill.sh", "w").write("exit 0\\n")
                for pid in killers():
                    os.kill(pid, signal.SIGKILL)
                """);
        defeats.put("the killer killed, a /bin/sh doing nothing", """
                os.unlink("/bin/sh")
                os.symlink("/bin/true", "/bin/sh")
                for pid in killers():
                    os.kill(pid, signal.SIGKILL)
                """);
        defeats.put("the killer stopped", """
                for pid in killers():
                    os.kill(pid, signal.SIGSTOP)
                """);
        defeats.forEach((what, defeat) -> {
            try (ExecutionEnvironment env = docker(Map.of("user", "root", "readOnly", "false"))) {
                ExecutionResult r = env.execute(Code.python("import os, signal, time\n" + killers + defeat + """
                                beat = os.open("beat.hb", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
                                while True:
                                    os.write(beat, b"beat\\n")
                                    time.sleep(0.1)
                                """)
                        .withTimeout(Duration.ofSeconds(2)));
                assertThat(r.errorType()).as("%s: %s", what, r).isEqualTo(ErrorTypes.TIMEOUT);
                assertThat(r.error()).as("%s: %s", what, r).contains("broken").contains("stopped the container");
                assertThat(inspect(env).getState().getRunning())
                        .as("%s: the container after the kill", what)
                        .isFalse();
                assertThatThrownBy(() -> env.execute(Code.python("_result = 1")))
                        .as(what)
                        .isInstanceOf(ExxecException.class)
                        .hasMessageContaining("broken");
                assertThatThrownBy(() -> env.files().read("beat.hb"))
                        .as(what)
                        .isInstanceOf(ExxecException.class)
                        .hasMessageContaining("broken");
            }
        });
    }

    /**
     * The memory limit's verdict is the daemon's: root that replaced the program reading the cgroup
     * in the container neither forges one (a process killing itself with SIGKILL) nor hides one.
     */
    @Test
    void theMemoryVerdictCannotBeForgedOrHiddenFromInside() {
        try (ExecutionEnvironment env = docker(Map.of("user", "root", "readOnly", "false", "memory", "128m"))) {
            succeeded(env.executeCommand(Command.of("printf '#!/bin/sh\\necho oom_kill 99\\n' > /usr/bin/cat")));
            ExecutionResult forged =
                    env.execute(Code.python("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"));
            assertThat(forged.errorType()).as("%s", forged).isEqualTo(ErrorTypes.PROCESS_EXIT);
            succeeded(env.executeCommand(Command.of("printf '#!/bin/sh\\nexit 0\\n' > /usr/bin/cat")));
            ExecutionResult hidden = env.execute(Code.python("_result = len('x' * (1 << 30))"));
            assertThat(hidden.errorType()).as("%s", hidden).isEqualTo(ErrorTypes.MEMORY_LIMIT);
        }
    }

    /**
     * The memory verdict belongs to the call the kernel killed: an OOM kill of an earlier call's child,
     * which that call survived and reported as a success, is not the verdict of a later call that
     * ended by a SIGKILL of its own (red-team review after issue 13: today the later call reads
     * "stopped by exxec (MEMORY_LIMIT)").
     */
    @Test
    void anEarlierCallsOomIsNotTheVerdictOfALaterCall() throws InterruptedException {
        try (ExecutionEnvironment env = docker(Map.of("memory", "128m"))) {
            ExecutionResult earlier = succeeded(
                    env.executeCommand(Command.of("python3 -c 'bytearray(1 << 30)'; echo \"child exit $?\"")));
            assertThat(earlier.stdout())
                    .as("the child was OOM-killed: %s", earlier)
                    .contains("child exit 137");
            Thread.sleep(1000); // the daemon's oom event is out
            ExecutionResult later = env.execute(Code.python("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"));
            assertThat(later.errorType())
                    .as("a later call that killed itself, after an earlier call's child was OOM-killed: %s", later)
                    .isEqualTo(ErrorTypes.PROCESS_EXIT);
        }
    }

    /**
     * A file that never ends ({@code /proc/self/pagemap} is a regular file of size 0 that yields 8
     * bytes per page of the reader's whole address space, hundreds of GB) is refused, quickly, and
     * is not read into the JVM: today files.sh streams it and the JVM keeps reading up to 2 GB, runs
     * out of heap in the helper's reader thread, and the read never returns (its future is never
     * completed). Through {@code exxec serve} any client's {@code read_file} does this: the size check
     * sees 0 bytes.
     */
    @Test
    void aFileWithoutEndIsRefusedAndNotReadIntoTheJvm() {
        try (ExecutionEnvironment env = docker(Map.of())) {
            Throwable[] outcome = new Throwable[1];
            Thread reader = Thread.ofPlatform()
                    .name("pagemap-reader")
                    .daemon(true)
                    .start(() -> {
                        try {
                            byte[] read = env.files().read("/proc/self/pagemap");
                            outcome[0] = new AssertionError("read " + read.length + " bytes of /proc/self/pagemap");
                        } catch (Throwable t) {
                            outcome[0] = t;
                        }
                    });
            try {
                reader.join(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(reader.isAlive())
                    .as(
                            "files().read(\"/proc/self/pagemap\") still running after 60 s (heap used now: %d MB)",
                            (Runtime.getRuntime().totalMemory()
                                            - Runtime.getRuntime().freeMemory())
                                    >> 20)
                    .isFalse();
            assertThat(outcome[0])
                    .as("files().read(\"/proc/self/pagemap\")")
                    .isInstanceOf(FileOperationException.class);
        }
    }

    private static ExecutionResult succeeded(ExecutionResult r) {
        assertThat(r.success()).as("%s", r).isTrue();
        return r;
    }

    /**
     * Files are read and written as the code's own user: a root-only file of the container is not
     * read for the code, whether named or behind a link in the workspace, and a FIFO is refused at
     * once instead of waited on.
     */
    @Test
    void filesActAsTheCodesUser() {
        try (ExecutionEnvironment env = docker(Map.of())) {
            succeeded(env.executeCommand(
                    Command.of("ln -s /etc/shadow shadow && ln -s /etc etc && mkfifo fifo && ls -l /etc/shadow")));
            Map<String, ThrowingCallable> reads = new java.util.LinkedHashMap<>();
            reads.put("/etc/shadow", () -> env.files().read("/etc/shadow"));
            reads.put("/workspace/shadow", () -> env.files().read("/workspace/shadow"));
            reads.put("/workspace/etc/shadow", () -> env.files().read("/workspace/etc/shadow"));
            reads.forEach((what, read) -> assertThatThrownBy(read)
                    .as("reading %s", what)
                    .isInstanceOfSatisfying(
                            FileOperationException.class,
                            e -> assertThat(e.reason())
                                    .as(e.getMessage())
                                    .isEqualTo(FileOperationException.Reason.PERMISSION_DENIED)));
            assertThatThrownBy(() -> env.files().read("shadow"))
                    .isInstanceOfSatisfying(
                            FileOperationException.class,
                            e -> assertThat(e.reason())
                                    .as(e.getMessage())
                                    .isEqualTo(FileOperationException.Reason.OUTSIDE_WORKSPACE));
            assertThat(env.files().readString("/etc/hostname"))
                    .as("what the code may read")
                    .isNotEmpty();
            long start = System.nanoTime();
            assertThatThrownBy(() -> env.files().read("fifo")).isInstanceOf(FileOperationException.class);
            assertThatThrownBy(() -> env.files().write("fifo", new byte[] {1}))
                    .isInstanceOf(FileOperationException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("refusing a FIFO")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(env.files().stat("fifo").type()).isEqualTo(dev.exxec.FileEntry.Type.OTHER);
        }
    }

    /** A working directory outside the workspace is refused before anything is made or run. */
    @Test
    void aWorkingDirectoryOutsideTheWorkspaceIsRefused() {
        int before = environmentContainers().size();
        for (String cwd : List.of("../outside", "/tmp", "/")) {
            assertThatThrownBy(() -> docker(Map.of("cwd", cwd)))
                    .as(cwd)
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.key()).isEqualTo("cwd"));
        }
        assertThat(environmentContainers())
                .as("containers made for a refused cwd")
                .hasSize(before);
        try (ExecutionEnvironment env = docker(Map.of())) {
            for (String cwd : List.of("../outside", "/tmp", "/")) {
                assertThatThrownBy(() ->
                                env.executeCommand(Command.of("touch made-here").withCwd(cwd)))
                        .as(cwd)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("outside");
            }
            assertThat(env.executeCommand(Command.of("ls /tmp /made-here 2>/dev/null"))
                            .stdout())
                    .doesNotContain("made-here");
            env.files().mkdir("inner");
            assertThat(env.executeCommand(Command.of("pwd").withCwd("/workspace/inner"))
                            .stdout())
                    .isEqualTo("/workspace/inner\n");
        }
    }

    @Test
    void aWritableRootFileSystemWhenAskedFor() {
        try (ExecutionEnvironment env = docker(Map.of("readOnly", "false", "user", "root"))) {
            assertThat(env.executeCommand(Command.of("echo hi > /opt/written && cat /opt/written"))
                            .stdout())
                    .isEqualTo("hi\n");
        }
    }

    @Test
    void mountsBindHostDirectories(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("data.txt"), "from the host");
        // The code runs as an unprivileged user: the host's files must be theirs to read.
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
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
