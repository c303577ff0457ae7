package dev.exxec.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.EnvironmentStartException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.spi.ProcessTree;
import dev.exxec.testkit.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the ssh provider adds to the kit: logins, host keys, quoting, cleanup on the host. */
class SshEnvironmentTest {
    private static SshServer server() {
        return SshServer.get();
    }

    private static ExecutionEnvironment ssh(Map<String, ?> more) {
        return Exxec.environment(SshProvider.ID, server().config(more));
    }

    /**
     * An environment on a host with no test server behind it, for what fails before any login (bad
     * configuration, a refused or silent port): those tests need no OpenSSH server, so they never skip.
     */
    private static ExecutionEnvironment serverless(Map<String, ?> more) {
        Map<String, Object> config = new HashMap<>();
        config.put("host", "127.0.0.1");
        config.put("user", "exxec-test");
        config.put("password", "not-used");
        config.put("agent", false);
        config.putAll(more);
        return Exxec.environment(SshProvider.ID, config);
    }

    private static boolean alive(long pid) {
        return ProcessTree.Stat.of(pid) != null;
    }

    private static List<Long> pids(String text) {
        List<Long> pids = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                pids.add(Long.parseLong(word));
            }
        }
        return pids;
    }

    // ---- the call's processes and the workspace

    @Test
    void aDeadlineLeavesNoProcessOfTheCallOnTheHost() {
        try (ExecutionEnvironment env = ssh(Map.of())) {
            String pidFile = "pids-" + UUID.randomUUID();
            ExecutionResult r =
                    env.executeCommand(Command.of("sleep 300 & a=$!; (sleep 300 & echo $! > b; wait) & c=$!; sleep 0.2;"
                                    + " echo $$ $a $c $(cat b) > " + pidFile + "; wait")
                            .withTimeout(Duration.ofSeconds(2)));
            assertThat(r.errorType()).as("%s", r).isEqualTo(ErrorTypes.TIMEOUT);
            List<Long> pids = pids(env.files().readString(pidFile));
            assertThat(pids).hasSize(4);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(pids).noneMatch(SshEnvironmentTest::alive));
        }
    }

    /**
     * Any process on the host may name itself with a line feed (prctl PR_SET_NAME, the name of a file
     * it runs), which splits its line of /proc/PID/stat; kill.sh reads every process's line, and must
     * still end the call (it read the first line alone, and dash ended it on a shift short of
     * arguments: no call's deadline killed anything while such a process ran anywhere on the host).
     */
    @Test
    void aProcessNamedWithALineFeedAnywhereOnTheHostDoesNotStopTheKill() throws Exception {
        Process named = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-c",
                        "import ctypes, sys, time\n"
                                + "ctypes.CDLL(None).prctl(15, b'exxec\\nkit', 0, 0, 0)\n"
                                + "print('named', flush=True)\n"
                                + "time.sleep(60)\n")
                .redirectErrorStream(true)
                .start();
        try (ExecutionEnvironment env = ssh(Map.of())) {
            assertThat(new BufferedReader(new InputStreamReader(named.getInputStream(), StandardCharsets.UTF_8))
                            .readLine())
                    .isEqualTo("named");
            String pidFile = "pids-" + UUID.randomUUID();
            ExecutionResult r =
                    env.executeCommand(Command.of("sleep 300 & a=$!; sleep 0.2; echo $$ $a > " + pidFile + "; wait")
                            .withTimeout(Duration.ofSeconds(2)));
            assertThat(r.errorType()).as("%s", r).isEqualTo(ErrorTypes.TIMEOUT);
            List<Long> pids = pids(env.files().readString(pidFile));
            assertThat(pids).hasSize(2);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(pids).noneMatch(SshEnvironmentTest::alive));
        } finally {
            named.destroyForcibly().waitFor();
        }
    }

    @Test
    void closeRemovesTheWorkspaceAndKillsBackgroundProcesses() throws Exception {
        String workspace;
        long pid;
        ExecutionEnvironment env = ssh(Map.of());
        try {
            workspace = env.files().workspace();
            env.files().writeString("deep/er/file.txt", "x");
            var process = env.processes().start(dev.exxec.ProcessSpec.of("sleep 300"));
            pid = process.pid().orElseThrow();
            assertThat(alive(pid)).isTrue();
            assertThat(Path.of(workspace)).exists();
        } finally {
            env.close();
        }
        assertThat(Path.of(workspace)).doesNotExist();
        assertThat(Path.of(workspace).getParent())
                .as("the directory mktemp made")
                .doesNotExist();
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pid));
    }

    /**
     * A JVM killed with SIGKILL cannot close its environment: the connection drops, and the keeper on
     * the host kills what the call left and removes the directory.
     */
    @Test
    void aKilledJvmLeavesNothingOnTheHost() throws Exception {
        Process child = Child.start(server());
        BufferedReader output = Child.output(child);
        String workspace;
        List<Long> pids;
        try {
            workspace = Child.awaitLine(output, "workspace=");
            pids = pids(Child.awaitLine(output, "pids="));
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no hook runs
        }
        assertThat(pids).isNotEmpty();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(pids).noneMatch(SshEnvironmentTest::alive);
            assertThat(Path.of(workspace).getParent()).doesNotExist();
        });
    }

    /** Runs in a child JVM: starts an environment, starts a sleeper in it, prints what to check. */
    static final class Child {
        static Process start(SshServer server) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Child.class.getName()));
            server.config().forEach((k, v) -> command.add(k + "=" + v));
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        }

        static BufferedReader output(Process child) {
            return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        }

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

        public static void main(String[] args) throws Exception {
            Map<String, Object> config = new HashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                config.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
            ExecutionEnvironment env = Exxec.environment(SshProvider.ID, config);
            System.out.println("workspace=" + env.files().workspace());
            var background = env.processes().start(dev.exxec.ProcessSpec.of("sleep 300"));
            Thread.ofVirtual().start(() -> env.executeCommand("sleep 300 & echo $! > p; wait"));
            while (!env.files().exists("p") || env.files().readString("p").isBlank()) {
                Thread.sleep(20);
            }
            System.out.println("pids=" + background.pid().orElseThrow() + " "
                    + env.files().readString("p").trim());
            System.out.flush();
            Thread.sleep(300_000);
        }
    }

    // ---- quoting

    @Test
    void variablesAndDirectoriesArriveUnchangedAndAreNeverExecuted(@TempDir Path scratch) {
        Path canary = Path.of("/tmp", "exxec-canary-" + UUID.randomUUID());
        String hostile = "a 'single' \"double\" $(touch " + canary + ") `touch " + canary + "` $HOME ${PATH}\n"
                + "second line; touch " + canary + " \\ back\\slash";
        String dir = "we ird 'dir' $(x) `y`\nline";
        try (ExecutionEnvironment env = ssh(Map.of("env.HOSTILE", hostile))) {
            env.files().mkdir(dir);
            ExecutionResult code = env.execute(Code.python("import os\n_result = [os.environ['HOSTILE'], os.getcwd()]")
                    .withCwd(dir)
                    .withEnv("CALL", hostile));
            assertThat(code.success()).as("%s", code).isTrue();
            assertThat(code.result()).isEqualTo(List.of(hostile, env.files().workspace() + "/" + dir));
            ExecutionResult command =
                    env.executeCommand(Command.of("printf '%s' \"$CALL\"").withEnv("CALL", hostile));
            assertThat(command.stdout()).as("%s", command).isEqualTo(hostile);
            ExecutionResult js = env.execute(Code.javascript("_result = process.env.HOSTILE"));
            assertThat(js.result()).as("%s", js).isEqualTo(hostile);
        }
        assertThat(canary).as("a command hidden in a value was run").doesNotExist();
    }

    /** Every process's command line on this host that holds {@code secret}, as "PID: words". */
    private static List<String> commandLinesWith(String secret) {
        List<String> found = new ArrayList<>();
        try (var procs = Files.newDirectoryStream(
                Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    String words = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (words.contains(secret)) {
                        found.add(proc.getFileName() + ": " + words);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    @Test
    void variableValuesNeverAppearOnAnyCommandLineOfTheHost() throws Exception {
        // The test user's login shell is slow to start, as some are: a value on its command line
        // ("bash -c 'exec env -i ... NAME=value ...'") would stay there for all to read meanwhile.
        Requirements.require(server().hasPasswordUser(), "needs the test user, made only as root");
        Map<String, Object> config = new HashMap<>(server().config());
        config.remove("privateKeyFile");
        config.put("user", SshServer.PASSWORD_USER);
        config.put("password", server().password);
        String secret = "sk-live-" + UUID.randomUUID().toString().replace("-", "");
        String callSecret = "call-" + UUID.randomUUID().toString().replace("-", "");
        config.put("env.SECRET_API_KEY", secret);
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (watching.get()) {
                seen.addAll(commandLinesWith(secret));
                seen.addAll(commandLinesWith(callSecret));
                scans.incrementAndGet();
            }
        });
        try {
            Files.writeString(SshServer.passwordUserRc(), SshServer.QUIET_RC + "sleep 0.3\n");
            try (ExecutionEnvironment env = Exxec.environment(SshProvider.ID, config)) {
                String both = "printf '%s %s' \"$SECRET_API_KEY\" \"$CALL\"; sleep 0.3";
                ExecutionResult command = env.executeCommand(Command.of(both).withEnv("CALL", callSecret));
                assertThat(command.stdout()).as("%s", command).isEqualTo(secret + " " + callSecret);
                ExecutionResult code = env.execute(Code.python(
                                "import os, time\ntime.sleep(0.3)\n_result = os.environ['SECRET_API_KEY'] + os.environ['CALL']")
                        .withEnv("CALL", callSecret));
                assertThat(code.result()).as("%s", code).isEqualTo(secret + callSecret);
                var background =
                        env.processes().start(dev.exxec.ProcessSpec.of(both).withEnv("CALL", callSecret));
                assertThat(background.waitFor(Duration.ofSeconds(30))).hasValue(0);
                assertThat(background.output().stdout()).isEqualTo(secret + " " + callSecret);
                try (CodeSession session = env.session(Language.PYTHON)) {
                    ExecutionResult r = session.execute(Code.python(
                            "import os, time\ntime.sleep(0.3)\n" + "_result = os.environ['SECRET_API_KEY']"));
                    assertThat(r.result()).as("%s", r).isEqualTo(secret);
                }
                try (var terminal = env.terminals()
                        .open(dev.exxec.TerminalSpec.of(dev.exxec.TerminalSize.of(80, 24))
                                .withCommand(both)
                                .withEnv("CALL", callSecret))) {
                    assertThat(terminal.readUntil(callSecret, Duration.ofSeconds(30)))
                            .contains(secret);
                    terminal.waitFor(Duration.ofSeconds(30));
                }
            }
        } finally {
            Files.writeString(SshServer.passwordUserRc(), SshServer.QUIET_RC);
            watching.set(false);
            watcher.join();
        }
        assertThat(scans.get()).as("scans of /proc").isGreaterThan(10);
        assertThat(seen).as("command lines that hold a variable's value").isEmpty();
    }

    @Test
    void aMissingWorkingDirectoryIsNamed() {
        try (ExecutionEnvironment env = ssh(Map.of())) {
            ExecutionResult r = env.executeCommand(Command.of("pwd").withCwd("no/such/dir"));
            assertThat(r.success()).isFalse();
            assertThat(r.stderr()).contains("the working directory").contains("no/such/dir");
        }
    }

    // ---- logins

    @Test
    void anEncryptedKeyOpensWithItsPassphrase() {
        try (ExecutionEnvironment env =
                ssh(Map.of("privateKeyFile", server().encryptedKey.toString(), "passphrase", SshServer.PASSPHRASE))) {
            assertThat(env.executeCommand("echo ok").stdout()).isEqualTo("ok\n");
        }
        assertThatThrownBy(
                        () -> ssh(Map.of("privateKeyFile", server().encryptedKey.toString(), "passphrase", "wrong")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("passphrase")
                .hasMessageContaining(server().encryptedKey.toString());
        assertThatThrownBy(
                        () -> ssh(Map.of("privateKeyFile", server().encryptedKey.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is encrypted: set 'passphrase'");
    }

    @Test
    void aKeyHeldInMemoryLogsIn() throws IOException {
        Map<String, Object> config = new HashMap<>(server().config());
        config.remove("privateKeyFile");
        config.put("privateKey", Files.readString(server().userKey));
        try (ExecutionEnvironment env = Exxec.environment(SshProvider.ID, config)) {
            assertThat(env.executeCommand("echo ok").stdout()).isEqualTo("ok\n");
        }
    }

    @Test
    void theAgentsKeysLogIn(@TempDir Path dir) throws Exception {
        Requirements.require(
                Files.isExecutable(Path.of("/usr/bin/ssh-agent")), "ssh-agent is not installed (openssh-client)");
        Path socket = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true)
                .start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(socket));
            ProcessBuilder adding =
                    new ProcessBuilder("ssh-add", server().userKey.toString()).redirectErrorStream(true);
            adding.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process added = adding.start();
            String said = new String(added.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(added.waitFor()).as(said).isZero();
            Map<String, Object> config = new HashMap<>(server().config());
            config.remove("privateKeyFile");
            config.put("agent", socket.toString());
            try (ExecutionEnvironment env = Exxec.environment(SshProvider.ID, config)) {
                assertThat(env.executeCommand("echo ok").stdout()).isEqualTo("ok\n");
            }
        } finally {
            agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPasswordLogsInAndAWrongOneIsNamed() throws IOException {
        Requirements.require(server().hasPasswordUser(), "password logins need a test user, made only as root");
        Map<String, Object> config = new HashMap<>(server().config());
        config.remove("privateKeyFile");
        config.put("user", SshServer.PASSWORD_USER);
        config.put("password", server().password);
        try (ExecutionEnvironment env = Exxec.environment(SshProvider.ID, config)) {
            // Its login shell's start-up file talks: none of that is the call's.
            ExecutionResult r = env.executeCommand("id -un; echo err >&2");
            assertThat(r.stdout()).as("%s", r).isEqualTo(SshServer.PASSWORD_USER + "\n");
            assertThat(r.stderr()).as("%s", r).isEqualTo("err\n");
            ExecutionResult code = env.execute(Code.python("print('out')\n_result = 42"));
            assertThat(code.stdout()).as("%s", code).isEqualTo("out\n");
            assertThat(code.result()).isEqualTo(42);
        }
        // A start-up file that prints to standard output breaks SFTP (for every client): named.
        try {
            Files.writeString(SshServer.passwordUserRc(), "echo 'noise on stdout'\n");
            assertThatThrownBy(() -> Exxec.environment(SshProvider.ID, config))
                    .isInstanceOf(EnvironmentStartException.class)
                    .hasMessageContaining("SFTP server")
                    .hasMessageContaining("~/.bashrc");
        } finally {
            Files.writeString(SshServer.passwordUserRc(), SshServer.QUIET_RC);
        }
        config.put("password", "not-" + server().password);
        assertThatThrownBy(() -> Exxec.environment(SshProvider.ID, config))
                .isInstanceOf(EnvironmentStartException.class)
                .hasMessageContaining("authentication as " + SshServer.PASSWORD_USER)
                .hasMessageContaining("failed")
                .hasMessageContaining("a password")
                .hasMessageNotContaining(server().password);
    }

    // ---- host keys

    private static String hostFingerprint() throws Exception {
        Process p = new ProcessBuilder(
                        "ssh-keygen",
                        "-l",
                        "-E",
                        "sha256",
                        "-f",
                        server().hostPublicKey.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.split(" ")[1]; // "256 SHA256:... comment (ED25519)"
    }

    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprint(@TempDir Path dir) throws Exception {
        String fingerprint = hostFingerprint(); // needs the server: without one this skips here
        Path empty = dir.resolve("known_hosts");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> ssh(Map.of("knownHostsFile", empty.toString())))
                .isInstanceOf(EnvironmentStartException.class)
                .hasMessageContaining("is not in " + empty)
                .hasMessageContaining(fingerprint)
                .hasMessageContaining("hostKeyPolicy=accept-new");
    }

    @Test
    void aChangedHostKeyIsRefusedEvenWithAcceptNew(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("other");
        SshServer.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()));
        String[] key = Files.readString(dir.resolve("other.pub")).trim().split(" ");
        Path known = dir.resolve("known_hosts");
        Files.writeString(known, "[127.0.0.1]:" + server().port + " " + key[0] + " " + key[1] + "\n");
        for (String policy : List.of("strict", "accept-new")) {
            assertThatThrownBy(() -> ssh(Map.of("knownHostsFile", known.toString(), "hostKeyPolicy", policy)))
                    .isInstanceOf(EnvironmentStartException.class)
                    .hasMessageContaining("CHANGED")
                    .hasMessageContaining(hostFingerprint());
        }
    }

    @Test
    void aRevokedHostKeyIsRefusedBeforeOrAfterItsOwnLine(@TempDir Path dir) throws Exception {
        String[] key = Files.readString(server().hostPublicKey).trim().split(" ");
        String listed = "[127.0.0.1]:" + server().port + " " + key[0] + " " + key[1] + "\n";
        Path known = dir.resolve("known_hosts");
        for (String content : List.of(listed + "@revoked " + listed, "@revoked " + listed + listed)) {
            Files.writeString(known, content);
            for (String policy : List.of("strict", "accept-new")) {
                assertThatThrownBy(() -> ssh(Map.of("knownHostsFile", known.toString(), "hostKeyPolicy", policy)))
                        .as(content)
                        .isInstanceOf(EnvironmentStartException.class)
                        .hasMessageContaining("marked revoked")
                        .hasMessageContaining(hostFingerprint());
            }
        }
    }

    @Test
    void acceptNewTrustsOnFirstUseAndRemembers(@TempDir Path dir) throws Exception {
        Path known = dir.resolve("sub/known_hosts");
        try (ExecutionEnvironment env =
                ssh(Map.of("knownHostsFile", known.toString(), "hostKeyPolicy", "accept-new"))) {
            assertThat(env.executeCommand("echo ok").stdout()).isEqualTo("ok\n");
        }
        assertThat(Files.readString(known)).startsWith("[127.0.0.1]:" + server().port + " ssh-ed25519 ");
        try (ExecutionEnvironment env = ssh(Map.of("knownHostsFile", known.toString()))) {
            assertThat(env.executeCommand("echo again").stdout()).isEqualTo("again\n");
        }
    }

    // ---- unreachable, missing

    /** A loopback port nothing listens on (bound a moment ago, then closed). */
    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedPortIsNamedAtOnce() throws IOException {
        int port = refusedPort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> serverless(Map.of("port", port)))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aHostThatDoesNotAnswerFailsWithinTheConnectTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accepts, never speaks
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            // Load the SSH client's classes first (seconds on a cold, busy JVM): the clock is for the wait.
            assertThatThrownBy(() -> serverless(Map.of("port", refusedPort())))
                    .isInstanceOf(ProviderUnavailableException.class);
            long start = System.nanoTime();
            assertThatThrownBy(() -> serverless(Map.of("port", silent.getLocalPort(), "connectTimeout", "1s")))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("1000 ms (connectTimeout)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        }
    }

    @Test
    void aMissingInterpreterIsNamed() {
        server(); // the interpreters are looked for on the host: without a server this skips here
        assertThatThrownBy(() -> ssh(Map.of("python", "/nonexistent/python3")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("config key 'python'")
                .hasMessageContaining("/nonexistent/python3");
        assertThatThrownBy(() -> ssh(Map.of("node", "no-such-node")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("config key 'node'");
    }

    @Test
    void theHostAndItsInterpretersAreFoundOnce() {
        try (ExecutionEnvironment env = ssh(Map.of())) {
            assertThat(env.capabilities().languages()).contains(Language.PYTHON, Language.JAVASCRIPT);
            assertThat(env.capabilities().location()).isEqualTo(dev.exxec.Location.REMOTE);
            ExecutionResult r = env.execute(Code.python("import sys\n_result = sys.executable"));
            assertThat((String) r.result()).as("%s", r).doesNotContain("shims");
        }
    }

    @Test
    void badConfigurationNamesTheKey() {
        assertThatThrownBy(() -> Exxec.environment(SshProvider.ID, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'host'");
        assertThatThrownBy(() -> serverless(Map.of("port", "seventy")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> serverless(Map.of("hostKeyPolicy", "trust-me")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("hostKeyPolicy");
        assertThatThrownBy(() -> serverless(Map.of("inheritEnv", true)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("inheritEnv");
        assertThatThrownBy(() -> serverless(Map.of("privateKeyFile", "/nonexistent/key")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/key");
        assertThatThrownBy(() -> serverless(Map.of("sshKey", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sshKey");
    }

    @Test
    void secretsStayOutOfTheConfigsText() {
        SshConfig config = SshConfig.from(Map.of("host", "h", "password", "hunter2", "privateKey", "KEYTEXT"));
        assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("KEYTEXT");
    }

    @Test
    void aSessionKeepsItsStateOnTheHost() {
        try (ExecutionEnvironment env = ssh(Map.of());
                var session = env.session(Language.PYTHON)) {
            session.execute("import os\nx = os.getpid()");
            ExecutionResult r = session.execute("_result = x == os.getpid()");
            assertThat(r.result()).as("%s", r).isEqualTo(true);
            assertThatThrownBy(() -> env.session(Language.TYPESCRIPT))
                    .isInstanceOf(UnsupportedCapabilityException.class);
        }
    }
}
