package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.FileOperationException;
import dev.exxec.Isolation;
import dev.exxec.NetworkAccess;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.TerminalSize;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.local.internal.SandboxUser;
import dev.exxec.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the sandbox provider; the shared contract is in {@link SandboxConformanceTest}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class SandboxEnvironmentTest {
    private ExecutionEnvironment env;

    @BeforeAll
    void start() {
        Requirements.require(
                Bubblewrap.probe().works(),
                "bubblewrap does not work here: " + Bubblewrap.probe().problem());
        env = Exxec.environment("srt", Map.of("python", "/usr/bin/python3"));
    }

    @AfterAll
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void declaresWhatItEnforces() {
        var c = env.capabilities();
        assertThat(env.providerId()).isEqualTo("sandbox");
        assertThat(c.isolation()).isEqualTo(Isolation.OS_SANDBOX);
        assertThat(c.network()).isEqualTo(NetworkAccess.NONE);
        assertThat(c.inheritEnv()).isFalse();
        assertThat(c.limits().fileSizeBytes()).isEqualTo(SandboxPolicy.DEFAULT_FILE_SIZE);
        assertThat(c.limits().openFiles()).isEqualTo(SandboxPolicy.DEFAULT_OPEN_FILES);
        if (Cgroups.detect().available()) {
            assertThat(c.limits().memoryBytes()).isEqualTo(SandboxPolicy.DEFAULT_MEMORY);
            assertThat(c.limits().processes()).isEqualTo(SandboxPolicy.DEFAULT_PROCESSES);
        } else {
            assertThat(c.limits().memoryBytes()).isNull();
        }
    }

    @Test
    void theCodeSeesItsOwnSmallWorld() {
        ExecutionResult r = env.execute("""
                import os, socket
                _result = {
                    "uid": os.getuid(),
                    "cwd": os.getcwd(),
                    "home": os.environ["HOME"],
                    "host": socket.gethostname(),
                    "root": sorted(os.listdir("/")),
                    "interfaces": sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]),
                    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                }
                """);
        assertThat(r.success()).as(r.toString()).isTrue();
        Map<?, ?> world = (Map<?, ?>) r.result();
        assertThat(world.get("uid")).isEqualTo(Bubblewrap.UID);
        assertThat(world.get("cwd")).isEqualTo("/workspace");
        assertThat(world.get("home")).isEqualTo("/workspace");
        assertThat(world.get("host")).isEqualTo("exxec");
        // No network device but loopback: no packet can leave.
        assertThat((List<Object>) world.get("interfaces")).containsExactly("lo");
        // Its own PID namespace: the sandbox's init, the interpreter, nothing of the host.
        assertThat((List<?>) world.get("pids"))
                .allSatisfy(pid -> assertThat((Integer) pid).isLessThan(10));
        assertThat((List<Object>) world.get("root"))
                .contains("usr", "workspace", "tmp")
                .doesNotContain("home", "var", "srv");
    }

    @Test
    void filesArePathsAsTheCodeSeesThem() {
        env.files().writeString("notes/a.txt", "x");
        assertThat(env.files().workspace()).isEqualTo("/workspace");
        assertThat(env.files().stat("notes/a.txt").path()).isEqualTo("/workspace/notes/a.txt");
        assertThat(env.files().readString("/workspace/notes/a.txt")).isEqualTo("x");
        assertThat(env.execute("_result = open('/workspace/notes/a.txt').read()")
                        .result())
                .isEqualTo("x");
        assertThatThrownBy(() -> env.files().readString("/etc/hostname"))
                .isInstanceOf(FileOperationException.class)
                .extracting(e -> ((FileOperationException) e).reason())
                .isEqualTo(FileOperationException.Reason.OUTSIDE_WORKSPACE);
        assertThatThrownBy(() -> env.files().writeString("../escape.txt", "x"))
                .isInstanceOf(FileOperationException.class)
                .extracting(e -> ((FileOperationException) e).reason())
                .isEqualTo(FileOperationException.Reason.OUTSIDE_WORKSPACE);
        assertThatThrownBy(() -> env.files().delete("/workspace")).isInstanceOf(FileOperationException.class);
        assertThatThrownBy(() -> env.execute(Code.python("1").withCwd("/tmp")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the sandbox's workspace");
    }

    /**
     * A working directory that leads out of the workspace is refused before anything is made on the
     * host (issue 13, finding 9b); one inside is made, as the code sees it.
     */
    @Test
    void aCwdOutsideTheWorkspaceIsRefusedBeforeAnythingIsMade() {
        String name = "exxec-escape-" + UUID.randomUUID();
        Path escape = Path.of(System.getProperty("java.io.tmpdir"), name);
        // The host workspace is <tmp>/exxec-local-<pid>-<n>/workspace: two levels up is the temporary directory.
        assertThatThrownBy(() -> Exxec.environment("sandbox", Map.of("cwd", "../../" + name)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("outside the sandbox's workspace");
        assertThat(escape).as("nothing is made on the host").doesNotExist();
        try (ExecutionEnvironment sub = Exxec.environment("sandbox", Map.of("cwd", "project/../project/src"))) {
            assertThat(sub.execute("import os\n_result = os.getcwd()").result()).isEqualTo("/workspace/project/src");
            assertThat(sub.files().stat("project/src").isDirectory()).isTrue();
        }
    }

    /**
     * A working directory in a directory the sandbox binds is where the code runs, at the same path
     * (the command line's default for the sandbox: the current directory, bound read-only); outside
     * every bind and the workspace it is still refused.
     */
    @Test
    void aCwdInABoundDirectoryIsWhereTheCodeRuns(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("src"));
        Files.writeString(sub.resolve("data.txt"), "from the host");
        // Readable by the sandbox's uid too (exxec run as root runs the sandbox as another user).
        for (Path p : List.of(dir, sub)) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(
                sub.resolve("data.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (ExecutionEnvironment bound = Exxec.environment(
                "sandbox", Map.of("bind", dir.toString(), "cwd", sub.toString(), "python", "/usr/bin/python3"))) {
            var r = bound.execute("import os\n_result = [os.getcwd(), open('data.txt').read()]");
            assertThat(r.result()).as("%s", r).isEqualTo(List.of(sub.toString(), "from the host"));
            assertThat(bound.executeCommand(dev.exxec.Command.of("pwd")).stdout())
                    .isEqualTo(sub + "\n");
        }
        assertThatThrownBy(() -> Exxec.environment("sandbox", Map.of("bind", sub.toString(), "cwd", dir.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("outside the sandbox's workspace");
    }

    @Test
    void bindsShowHostPathsReadOnlyOrWritable(@TempDir Path dir) throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path out = Files.createDirectories(dir.resolve("out"));
        // A writable bind must be the sandbox's to write: when exxec runs as root, its own uid's.
        SandboxUser sandbox = SandboxUser.of(SandboxUser.DEFAULT_UID);
        if (sandbox.drops()) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            sandbox.own(out);
        }
        Files.writeString(shared.resolve("in.txt"), "from the host");
        try (ExecutionEnvironment bound =
                Exxec.environment("sandbox", Map.of("bind", shared.toString(), "bindRw", List.of(out.toString())))) {
            ExecutionResult r = bound.execute("""
                    data = open("%1$s/in.txt").read()
                    try:
                        open("%1$s/new.txt", "w").write("no")
                        readonly = False
                    except OSError:
                        readonly = True
                    open("%2$s/result.txt", "w").write(data.upper())
                    _result = [data, readonly]
                    """.formatted(shared, out));
            assertThat(r.result()).as(r.toString()).isEqualTo(List.of("from the host", true));
        }
        assertThat(out.resolve("result.txt")).hasContent("FROM THE HOST");
        assertThat(shared.resolve("new.txt")).doesNotExist();
    }

    @Test
    void hostNetworkIsAnExplicitOptIn() {
        try (ExecutionEnvironment open = Exxec.environment("sandbox", Map.of("network", "host"))) {
            assertThat(open.capabilities().network()).isEqualTo(NetworkAccess.FULL);
            ExecutionResult r = open.execute(
                    "_result = sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:])");
            assertThat((List<Object>) r.result()).contains("lo").hasSizeGreaterThan(1);
        }
    }

    @Test
    void cpuTimeAndOpenFilesAreLimited() {
        try (ExecutionEnvironment limited =
                Exxec.environment("sandbox", Map.of("cpuTime", 1, "openFiles", 64, "timeout", 10))) {
            ExecutionResult busy = limited.execute("while True: pass");
            assertThat(busy.errorType()).as(busy.toString()).isEqualTo(ErrorTypes.CPU_TIME_LIMIT);
            assertThat(busy.duration()).isLessThan(Duration.ofSeconds(5));
            ExecutionResult files = limited.execute("handles = [open('/dev/null') for _ in range(100)]");
            assertThat(files.errorType()).isEqualTo("OSError");
            assertThat(files.error()).contains("Too many open files");
        }
    }

    @Test
    void terminalsAndBackgroundProcessesAreSandboxedToo() throws Exception {
        try (var terminal = env.terminals().open(TerminalSize.of(100, 30))) {
            terminal.write("echo \"$(id -un)@$(hostname):$(pwd)\"\n");
            assertThat(terminal.readUntil("user@exxec:/workspace", Duration.ofSeconds(10)))
                    .isNotEmpty();
        }
        var process = env.processes().start("cat /proc/net/dev | tail -n +3 | cut -d: -f1");
        assertThat(process.waitFor(Duration.ofSeconds(10))).hasValue(0);
        assertThat(process.output().stdout().trim()).isEqualTo("lo");
    }

    @Test
    void theHostsVariablesNeverReachTheCode() {
        assertThatThrownBy(() -> Exxec.environment("sandbox", Map.of("inheritEnv", true)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("inheritEnv");
        ExecutionResult r = env.executeCommand(Command.of("env | cut -d= -f1 | sort | tr '\\n' ' '"));
        assertThat(List.of(r.stdout().trim().split(" ")))
                .contains("HOME", "LANG", "PATH")
                .isSubsetOf("HOME", "LANG", "PATH", "PWD", "SHLVL", "_"); // what shells add themselves
    }

    @Test
    void aSandboxOutlivesTheThreadThatStartedIt() throws Exception {
        // The parent-death signal follows the thread that forked: that thread must not be a passing one.
        var holder = new java.util.concurrent.atomic.AtomicReference<dev.exxec.BackgroundProcess>();
        Thread starter =
                Thread.ofPlatform().start(() -> holder.set(env.processes().start("sleep 1; echo done")));
        starter.join();
        assertThat(holder.get().waitFor(Duration.ofSeconds(10))).hasValue(0);
        assertThat(holder.get().output().stdout()).isEqualTo("done\n");
    }

    @Test
    void sandboxesDieWithTheJvmEvenKilledWithSigkill() throws Exception {
        Process child = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SandboxChild.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream())).readLine();
            assertThat(line).as("the child started a sandbox").isNotNull();
            ProcessHandle sandbox =
                    ProcessHandle.of(Long.parseLong(line.trim())).orElseThrow();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> sandbox.descendants()
                            .anyMatch(p -> p.info().command().orElse("").endsWith("sleep")));
            List<ProcessHandle> inside = sandbox.descendants().toList();
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !sandbox.isAlive() && inside.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void withoutBubblewrapItRefusesToStartAndSaysHow() {
        Bubblewrap.Probe missing = Bubblewrap.probe("/nonexistent");
        assertThat(missing.works()).isFalse();
        assertThatThrownBy(() -> new Sandboxed(SandboxPolicy.DEFAULTS, missing, Cgroups.detect()))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("bubblewrap (bwrap) is not installed")
                .hasMessageContaining("apt-get install bubblewrap");
    }

    @Test
    void explicitLimitsThatCannotBeEnforcedRefuseToStart(@TempDir Path dir) throws Exception {
        Path mountinfo = Files.writeString(dir.resolve("mountinfo"), "25 1 0:22 / / rw - ext4 /dev/vda rw\n");
        Cgroups none = Cgroups.detect(mountinfo, Files.writeString(dir.resolve("cgroup"), ""));
        assertThatThrownBy(() -> new Sandboxed(SandboxPolicy.DEFAULTS.withMemory(256 << 20), Bubblewrap.probe(), none))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("memory limit cannot be enforced here");
        assertThatThrownBy(() -> new Sandboxed(SandboxPolicy.DEFAULTS.withProcesses(64), Bubblewrap.probe(), none))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("process limit cannot be enforced here");
        // Defaults that cannot be enforced are left out, and the capabilities say so.
        Sandboxed defaults = new Sandboxed(SandboxPolicy.DEFAULTS, Bubblewrap.probe(), none);
        assertThat(defaults.limits().memoryBytes()).isNull();
        assertThat(defaults.limits().processes()).isNull();
        assertThat(defaults.limits().fileSizeBytes()).isEqualTo(SandboxPolicy.DEFAULT_FILE_SIZE);
    }

    @Test
    void badPolicyValuesAreNamed() {
        assertThatThrownBy(() -> Exxec.environment("sandbox", Map.of("network", "bridge")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'network'")
                .hasMessageContaining("none, host");
        assertThatThrownBy(() -> Exxec.environment("sandbox", Map.of("bind", "relative/path")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'bind'");
        assertThatThrownBy(() -> Exxec.environment("sandbox", Map.of("memory", "1m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("at least 16m");
    }
}
