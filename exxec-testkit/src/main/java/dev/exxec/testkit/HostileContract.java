package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.failedWith;
import static dev.exxec.testkit.Outcomes.failedWithOneOf;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.BackgroundProcess;
import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.ErrorTypes;
import dev.exxec.EventStream;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.NetworkAccess;
import dev.exxec.ResourceLimits;
import dev.exxec.WorkspaceFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile code (DESIGN.md §5): programs that attack the machine they run on. Fork bombs, a memory
 * bomb, a disk fill, an output flood, endless sleep, detached daemons, network and DNS egress, host
 * secrets, writes outside the workspace, signals to host processes and symbolic links out of the
 * workspace each end in a clear result; afterwards this JVM is healthy and responsive and nothing of
 * the program runs any more.
 *
 * <p>The area runs only on environments that declare isolation {@link Isolation#OS_SANDBOX} or
 * stronger: on {@code local} or {@code ssh} a fork bomb would hit a real machine, so the whole area
 * is skipped before any program runs. The cases use small limits (config keys {@code memory=256m},
 * {@code pids=64}, {@code fileSize=64m}); a case whose limit the environment does not declare in
 * {@link ResourceLimits} is skipped. Code in a sandbox may live in its own PID namespace, so "nothing
 * left running" is proven with heartbeat files the code keeps writing and with host processes the
 * test itself started, never with process ids the code prints.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class HostileContract extends HostileArea {
    private static final long MIB = 1L << 20;
    /** How a fork bomb may end: its own error, a crash, the deadline, or the memory limit. */
    private static final Set<String> BOMB_ENDINGS =
            Set.of("BlockingIOError", "OSError", ErrorTypes.PROCESS_EXIT, ErrorTypes.TIMEOUT, ErrorTypes.MEMORY_LIMIT);
    /** How opening a file the sandbox hides or protects may fail (EROFS is a plain OSError). */
    private static final Set<String> FILE_REFUSALS =
            Set.of("FileNotFoundError", "PermissionError", "OSError", "NotADirectoryError");
    /** How a connection the sandbox does not allow may fail. */
    private static final Set<String> CONNECT_REFUSALS = Set.of(
            "ConnectionRefusedError",
            "ConnectionResetError",
            "ConnectionAbortedError",
            "PermissionError",
            "OSError",
            "TimeoutError");
    /** Host variables whose values any environment may legitimately share with the host. */
    private static final Set<String> SHARED_VARIABLES = Set.of("PATH", "HOME", "LANG", "PWD");

    /**
     * Starts a daemon (setsid and a double fork, ignoring the polite signals) that appends a line to
     * HEARTBEAT every 100 ms; then loops forever or returns, as LOOP_FOREVER says.
     */
    private static final String DAEMON = """
            import os, signal, time

            def start_daemon(path):
                first = os.fork()
                if first:
                    os.waitpid(first, 0)
                    return
                os.setsid()
                if os.fork():
                    os._exit(0)
                for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                    signal.signal(sig, signal.SIG_IGN)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 1 << 16)
                # One descriptor for good: if the workspace is removed while the daemon lives, the
                # file still grows, seen through a hard link.
                beat = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                while True:
                    try:
                        os.write(beat, b"beat\\n")
                    except OSError:
                        pass
                    time.sleep(0.1)

            path = os.path.abspath(HEARTBEAT)
            start_daemon(path)
            while not os.path.exists(path) or os.path.getsize(path) < 3 * len("beat\\n"):
                time.sleep(0.02)
            print("daemon beating", flush=True)
            while LOOP_FOREVER:
                time.sleep(1)
            _result = "started"
            """;

    private int baselineThreads;

    HostileContract(EnvironmentFactory factory) {
        super(factory);
    }

    /** This JVM's threads before the area, to see that hostile code leaves none behind. */
    @BeforeAll
    @Timeout(value = TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    final void countThreadsBefore() {
        baselineThreads = ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private ResourceLimits limits() {
        return hostile().capabilities().limits();
    }

    private void assumeFiles() {
        assumeTrue(caps().files(), "the environment does not declare files");
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /**
     * After each case: the environment still runs code promptly, and this JVM's threads and heap are
     * in bounds.
     */
    @AfterEach
    final void hostStaysHealthy() {
        ExecutionEnvironment env = hostileIfMade();
        if (env != null && !env.isClosed() && env.capabilities().supports(Language.PYTHON)) {
            long start = System.nanoTime();
            ExecutionResult r = succeeded(env.execute(Code.python("_result = 1").withTimeout(Duration.ofSeconds(10))));
            assertThat(r.result()).as(describe(r)).isEqualTo(1);
            assertThat(since(start))
                    .as("a trivial execute right after the case")
                    .isLessThan(Duration.ofSeconds(5));
        }
        assertThat(ManagementFactory.getThreadMXBean().getThreadCount())
                .as("platform threads of this JVM (%d before the area)", baselineThreads)
                .isLessThan(baselineThreads + 200);
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        if (heap.getMax() > 0) {
            assertThat(heap.getUsed())
                    .as("heap used after GC, of %d", heap.getMax())
                    .isLessThan(heap.getMax() / 4 * 3);
        }
    }

    // 1. Fork bombs

    @Test
    void forkBombIsContainedByTheProcessLimit() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeTrue(limits().processes() != null, "the environment does not declare a process limit");
        String heartbeat = "bomb-" + UUID.randomUUID() + ".hb";
        Duration timeout = Duration.ofSeconds(5);
        long start = System.nanoTime();
        ExecutionResult r = hostile()
                .execute(
                        Code.python(python(Map.of("HEARTBEAT", heartbeat), """
                        import os
                        beat = os.open(HEARTBEAT, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                        while True:
                            os.fork()
                            os.write(beat, b".")
                        """)).withTimeout(timeout));
        failedWithOneOf(r, BOMB_ENDINGS);
        assertThat(since(start)).as(describe(r)).isLessThan(timeout.plus(SLACK));
        if (caps().files()) {
            assertThat(sizeOf(hostile(), heartbeat))
                    .as("the bomb ran and beat: %s", describe(r))
                    .isPositive();
            assertBeatStops(hostile(), heartbeat, () -> "the fork bomb");
            hostile().files().delete(heartbeat);
        }
    }

    /**
     * The shell's fork bomb, under a portable name: dash (the {@code sh} of Debian and Ubuntu) refuses
     * {@code :} as a function name, so the classic {@code :(){ :|:& };:} is only a syntax error there.
     */
    @Test
    void shellForkBombEndsByTheDeadline() throws InterruptedException {
        assumeCommands();
        // Without a process limit, the bomb could fill the host kernel's process table before the
        // deadline: only a virtual machine's own kernel contains it then.
        assumeTrue(
                limits().processes() != null || caps().isolation().atLeast(Isolation.MICRO_VM),
                "the environment declares no process limit and shares the host's kernel");
        String heartbeat = "shell-bomb-" + UUID.randomUUID() + ".hb";
        Duration timeout = Duration.ofSeconds(3);
        long start = System.nanoTime();
        ExecutionResult r = hostile()
                .executeCommand(Command.of("bomb(){ echo >> " + heartbeat + "; bomb | bomb & }; bomb; sleep 30")
                        .withTimeout(timeout));
        failedWithOneOf(r, Set.of(ErrorTypes.TIMEOUT, ErrorTypes.PROCESS_EXIT, ErrorTypes.MEMORY_LIMIT));
        assertThat(since(start)).as(describe(r)).isLessThan(timeout.plus(SLACK));
        if (caps().files()) {
            assertThat(sizeOf(hostile(), heartbeat))
                    .as("the bomb ran and beat: %s", describe(r))
                    .isPositive();
            assertBeatStops(hostile(), heartbeat, () -> "the shell fork bomb");
            hostile().files().delete(heartbeat);
        }
    }

    /**
     * The same bomb under the provider's own default limits, which let it make hundreds of processes:
     * what kills a call must not need a process slot at any size of the bomb (docker's kill.sh read
     * its process table through a here-document, which dash writes by forking once it outgrows a
     * pipe's buffer: with 512 slots taken the killer died, and the call outlived its deadline).
     */
    @Test
    void shellForkBombUnderTheDefaultLimitsEndsByTheDeadline() throws InterruptedException {
        assumeCommands();
        ExecutionEnvironment env = newEnv(Map.of());
        ResourceLimits defaults = env.capabilities().limits();
        assumeTrue(
                defaults.processes() != null || env.capabilities().isolation().atLeast(Isolation.MICRO_VM),
                "the environment declares no process limit by default and shares the host's kernel");
        String heartbeat = "default-bomb-" + UUID.randomUUID() + ".hb";
        Duration timeout = Duration.ofSeconds(3);
        long start = System.nanoTime();
        ExecutionResult r =
                env.executeCommand(Command.of("bomb(){ echo >> " + heartbeat + "; bomb | bomb & }; bomb; sleep 30")
                        .withTimeout(timeout));
        failedWithOneOf(r, Set.of(ErrorTypes.TIMEOUT, ErrorTypes.PROCESS_EXIT, ErrorTypes.MEMORY_LIMIT));
        assertThat(since(start)).as(describe(r)).isLessThan(timeout.plus(SLACK));
        if (env.capabilities().files()) {
            assertBeatStops(env, heartbeat, () -> "the shell fork bomb under the default limits");
        }
        env.close();
    }

    // 2. Memory

    @Test
    void allocatingEightGigabytesHitsTheMemoryLimit() {
        assumeLanguage(Language.PYTHON);
        Long memory = limits().memoryBytes();
        assumeTrue(memory != null, "the environment does not declare a memory limit");
        assumeTrue(memory < 4L << 30, () -> "the declared memory limit is too large to test: " + memory);
        long start = System.nanoTime();
        // A string is written as it is made; bytearray(n) alone would only map untouched pages.
        ExecutionResult r = hostile()
                .execute(Code.python("_result = len('x' * (8 << 30))\n").withTimeout(Duration.ofSeconds(10)));
        failedWithOneOf(r, Set.of(ErrorTypes.MEMORY_LIMIT, "MemoryError"));
        assertThat(since(start))
                .as("stopped at the limit, not at the deadline: %s", describe(r))
                .isLessThan(Duration.ofSeconds(8));
    }

    /**
     * The memory limit holds for all processes of an execution together ({@link
     * ResourceLimits#memoryBytes()}): eight children each holding a quarter of it at once must not all
     * survive. A per-process limit ({@code RLIMIT_AS}) lets them.
     */
    @Test
    void memoryLimitCoversAllProcessesTogether() {
        assumeLanguage(Language.PYTHON);
        Long memory = limits().memoryBytes();
        assumeTrue(memory != null, "the environment does not declare a memory limit");
        assumeTrue(memory <= 1L << 30, () -> "the declared memory limit is too large to test: " + memory);
        ExecutionResult r = hostile()
                .execute(Code.python(python(Map.of("SHARE", memory / 4), """
                        import os, time
                        children = []
                        for _ in range(8):
                            pid = os.fork()
                            if pid == 0:
                                try:
                                    held = "x" * SHARE
                                    time.sleep(2)
                                finally:
                                    os._exit(0)
                            children.append(pid)
                        killed = 0
                        for pid in children:
                            _, status = os.waitpid(pid, 0)
                            if os.WIFSIGNALED(status):
                                killed += 1
                        if killed:
                            raise MemoryError("%d of 8 children were killed" % killed)
                        _result = "all 8 children held their share"
                        """)).withTimeout(Duration.ofSeconds(10)));
        failedWithOneOf(r, Set.of(ErrorTypes.MEMORY_LIMIT, "MemoryError"));
    }

    // 3. Disk

    @Test
    void writingTenGigabytesStopsAtTheFileSizeLimit() {
        assumeLanguage(Language.PYTHON);
        assumeFiles();
        Long fileSize = limits().fileSizeBytes();
        assumeTrue(fileSize != null, "the environment does not declare a file size limit");
        assumeTrue(fileSize <= 1L << 30, () -> "the declared file size limit is too large to test: " + fileSize);
        String file = "fill-" + UUID.randomUUID() + ".bin";
        ExecutionResult r =
                hostile().execute(Code.python(python(Map.of("FILE", file), """
                        chunk = b"\\0" * (1 << 20)
                        with open(FILE, "wb") as f:
                            for _ in range(10 << 10):
                                f.write(chunk)
                        """)).withTimeout(Duration.ofSeconds(20)));
        // Python ignores SIGXFSZ, so the write fails with EFBIG instead of the process being killed.
        failedWithOneOf(r, Set.of("OSError", ErrorTypes.FILE_SIZE_LIMIT));
        if (r.errorType().equals("OSError")) {
            assertThat(r.error()).as(describe(r)).contains("File too large");
        }
        assertThat(hostile().files().stat(file).size()).as("the file on disk").isLessThanOrEqualTo(fileSize);
        hostile().files().delete(file);
    }

    @Test
    void shellDiskFillIsKilledAtTheFileSizeLimit() {
        assumeCommands();
        Long fileSize = limits().fileSizeBytes();
        assumeTrue(fileSize != null, "the environment does not declare a file size limit");
        assumeTrue(fileSize <= 1L << 30, () -> "the declared file size limit is too large to test: " + fileSize);
        String file = "fill-" + UUID.randomUUID() + ".bin";
        ExecutionResult r = hostile()
                .executeCommand(
                        Command.of("head -c 10737418240 /dev/zero > " + file).withTimeout(Duration.ofSeconds(20)));
        failedWith(r, ErrorTypes.FILE_SIZE_LIMIT);
        if (caps().files()) {
            assertThat(hostile().files().stat(file).size())
                    .as("the file on disk")
                    .isLessThanOrEqualTo(fileSize);
            hostile().files().delete(file);
        }
    }

    // 4. Output

    /** An endless flood runs to the deadline in a JVM of 64 MiB heap: cut, flagged, memory bounded. */
    @Test
    void printingWithoutEndTimesOutWithBoundedOutputAndMemory() throws IOException, InterruptedException {
        assumeLanguage(Language.PYTHON);
        Duration timeout = Duration.ofSeconds(3);
        ChildJvm.Report report =
                ChildJvm.run(factory(), Map.of("outputLimit", "4m"), Language.PYTHON, """
                import sys
                chunk = "x" * 65536
                while True:
                    sys.stdout.write(chunk)
                """, "64m", Map.of(), timeout);
        assertThat(report.exitCode())
                .as("the child JVM's exit code (3 = out of memory):\n%s", report.output())
                .isZero();
        assertThat(report.field("success")).as(report.output()).isEqualTo("false");
        assertThat(report.field("errorType")).as(report.output()).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(report.field("stdoutTruncated")).as(report.output()).isEqualTo("true");
        assertThat(Long.parseLong(report.field("stdoutLength")))
                .as(report.output())
                .isBetween(4 * MIB - 4, 4 * MIB);
        assertThat(Long.parseLong(report.field("durationMillis")))
                .as(report.output())
                .isLessThan(timeout.plus(SLACK).toMillis());
    }

    // 5. Sleep

    @Test
    void sleepingForeverWhileIgnoringSignalsTimesOut() {
        assumeLanguage(Language.PYTHON);
        Duration timeout = Duration.ofSeconds(2);
        long start = System.nanoTime();
        ExecutionResult r = hostile().execute(Code.python("""
                        import signal, time
                        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
                            signal.signal(sig, signal.SIG_IGN)
                        while True:
                            time.sleep(3600)
                        """).withTimeout(timeout));
        Duration took = since(start);
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(took).as(describe(r)).isLessThan(timeout.plus(SLACK));
        assertThat(took).as(describe(r)).isGreaterThanOrEqualTo(timeout.minusMillis(100));
    }

    // 6. Detached daemons

    @Test
    void detachedDaemonDiesAtTheDeadline() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeFiles();
        String heartbeat = "daemon-deadline-" + UUID.randomUUID() + ".hb";
        Duration timeout = Duration.ofSeconds(3);
        ExecutionResult r = hostile()
                .execute(Code.python(python(Map.of("HEARTBEAT", heartbeat, "LOOP_FOREVER", true), DAEMON))
                        .withTimeout(timeout));
        failedWith(r, ErrorTypes.TIMEOUT);
        assertThat(r.stdout()).as("the daemon started: %s", describe(r)).contains("daemon beating");
        assertBeatStops(hostile(), heartbeat, () -> "the daemon after the deadline");
        hostile().files().delete(heartbeat);
    }

    /**
     * A daemon whose call returned normally dies right after the call, or at the latest when the
     * environment closes. The second is watched, where this machine holds the workspace, through a
     * hard link to the heartbeat file: the daemon writes through a descriptor it keeps open, so the
     * file still grows after {@code close()} removed the workspace if the daemon lives.
     */
    @Test
    void detachedDaemonDoesNotOutliveItsCall() throws InterruptedException, IOException {
        assumeLanguage(Language.PYTHON);
        assumeFiles();
        ExecutionEnvironment env = limited(Map.of());
        Optional<Path> hostWorkspace = HostSide.locateWorkspace(env);
        String heartbeat = "daemon-return-" + UUID.randomUUID() + ".hb";
        ExecutionResult r =
                succeeded(env.execute(Code.python(python(Map.of("HEARTBEAT", heartbeat, "LOOP_FOREVER", false), DAEMON))
                        .withTimeout(Duration.ofSeconds(10))));
        assertThat(r.result()).as(describe(r)).isEqualTo("started");
        if (stopsGrowing(() -> sizeOf(env, heartbeat), SLACK)) {
            env.close();
            return; // killed with its call
        }
        assertThat(hostWorkspace)
                .as("the daemon outlived its call, and this machine cannot watch it after close()")
                .isPresent();
        Path watch = Files.createTempDirectory("exxec-kit-daemon-");
        try {
            Path link = Files.createLink(
                    watch.resolve(heartbeat), hostWorkspace.orElseThrow().resolve(heartbeat));
            env.close();
            assertThat(stopsGrowing(() -> HostSide.sizeOf(link), SLACK))
                    .as("the daemon outlived its call and close(): its heartbeat still grows")
                    .isTrue();
        } finally {
            env.close();
            HostSide.deleteTree(watch);
        }
    }

    // 7. Network

    private static final String CONNECT = """
            import socket
            socket.create_connection((HOST, PORT), timeout=3).close()
            _result = "connected"
            """;

    private static final String DNS_LOOKUP = """
            import socket
            _result = [a[4][0] for a in socket.getaddrinfo("example.com", 80)]
            """;

    private static boolean hostResolves(String name) {
        try {
            InetAddress.getByName(name);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void assertNoConnection(ServerSocket server) throws IOException {
        server.setSoTimeout(300);
        try (Socket accepted = server.accept()) {
            throw new AssertionError("the server accepted a connection from " + accepted.getRemoteSocketAddress());
        } catch (SocketTimeoutException expected) {
            // nothing came
        }
    }

    private static List<String> hostAddresses() throws SocketException {
        List<String> addresses = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (!a.isLinkLocalAddress() && !(a instanceof Inet6Address)) {
                    addresses.add(a.getHostAddress());
                }
            }
        }
        return addresses;
    }

    private void assumeNoNetwork() {
        assumeTrue(
                hostile().capabilities().network() == NetworkAccess.NONE,
                () -> "the environment declares network "
                        + hostile().capabilities().network());
    }

    @Test
    void noConnectionToAServerOnTheHostsLoopback() throws IOException {
        assumeLanguage(Language.PYTHON);
        assumeNoNetwork();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("0.0.0.0", 0));
            ExecutionResult r = hostile()
                    .execute(Code.python(python(Map.of("HOST", "127.0.0.1", "PORT", server.getLocalPort()), CONNECT))
                            .withTimeout(Duration.ofSeconds(10)));
            failedWithOneOf(r, CONNECT_REFUSALS);
            assertNoConnection(server);
        }
    }

    @Test
    void noConnectionToTheHostsOwnAddresses() throws IOException {
        assumeLanguage(Language.PYTHON);
        assumeNoNetwork();
        List<String> addresses = hostAddresses();
        assumeTrue(!addresses.isEmpty(), "this machine has no address but loopback");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("0.0.0.0", 0));
            for (String address : addresses) {
                ExecutionResult r = hostile()
                        .execute(Code.python(python(Map.of("HOST", address, "PORT", server.getLocalPort()), CONNECT))
                                .withTimeout(Duration.ofSeconds(10)));
                failedWithOneOf(r, CONNECT_REFUSALS);
            }
            assertNoConnection(server);
        }
    }

    @Test
    void dnsLookupFails() {
        assumeLanguage(Language.PYTHON);
        assumeNoNetwork();
        ExecutionResult r = hostile().execute(Code.python(DNS_LOOKUP).withTimeout(Duration.ofSeconds(10)));
        failedWithOneOf(r, Set.of("gaierror", "OSError", ErrorTypes.TIMEOUT));
    }

    /**
     * The same connection succeeds with {@code network=host}, and so does the lookup where this
     * machine resolves names: the refusals above are the sandbox's.
     */
    @Test
    void hostNetworkReachesTheSameServer() throws IOException {
        assumeLanguage(Language.PYTHON);
        assumeNoNetwork();
        ExecutionEnvironment open;
        try {
            open = newEnv(Map.of("network", "host"));
        } catch (ConfigException e) {
            Assumptions.abort("the provider does not accept network=host: " + e.getMessage());
            return;
        }
        assumeTrue(
                open.capabilities().network() == NetworkAccess.FULL,
                () -> "with network=host the environment declares network "
                        + open.capabilities().network());
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            ExecutionResult r = succeeded(open.execute(
                    Code.python(python(Map.of("HOST", "127.0.0.1", "PORT", server.getLocalPort()), CONNECT))
                            .withTimeout(Duration.ofSeconds(10))));
            assertThat(r.result()).as(describe(r)).isEqualTo("connected");
            server.setSoTimeout(2000);
            try (Socket accepted = server.accept()) {
                assertThat(accepted.isConnected()).isTrue();
            }
            if (hostResolves("example.com")) {
                ExecutionResult dns = open.execute(Code.python(DNS_LOOKUP).withTimeout(Duration.ofSeconds(10)));
                succeeded(dns);
            }
        } finally {
            open.close();
        }
    }

    // 8. Host secrets

    @Test
    void secretFileInTheHostHomeIsNotReadable() throws IOException {
        assumeLanguage(Language.PYTHON);
        HostSide.PlantedSecret secret = plant();
        try (secret) {
            ExecutionResult r = hostile()
                    .execute(Code.python(python(
                                    Map.of("SECRET", secret.path().toString()),
                                    "with open(SECRET) as f:\n    _result = f.read()\n"))
                            .withTimeout(Duration.ofSeconds(10)));
            failedWithOneOf(r, Set.of("FileNotFoundError", "PermissionError"));
            assertThat(describe(r)).doesNotContain(secret.value());
            ExecutionResult listing = hostile()
                    .execute(Code.python(python(
                                    Map.of("HOME_DIR", HostSide.home().toString()),
                                    "import os\n_result = os.listdir(HOME_DIR)\n"))
                            .withTimeout(Duration.ofSeconds(10)));
            if (listing.success()) {
                assertThat(describe(listing))
                        .as("the sandbox's own %s shows the host's file", HostSide.home())
                        .doesNotContain(secret.path().getFileName().toString());
            } else {
                assertThat(listing.errorType()).as(describe(listing)).isIn(FILE_REFUSALS);
            }
        }
    }

    /**
     * The values of this JVM's environment that no environment may show its code: at least 8
     * characters, not PATH, HOME, LANG or PWD, and not part of a value the environment sets itself.
     */
    private static Map<String, String> hostValues(Map<String, ?> own) {
        Map<String, String> values = new TreeMap<>();
        System.getenv().forEach((name, value) -> {
            if (SHARED_VARIABLES.contains(name) || value.length() < 8) {
                return;
            }
            for (Object set : own.values()) {
                if (String.valueOf(set).contains(value)) {
                    return;
                }
            }
            values.put(name, value);
        });
        return values;
    }

    @Test
    void procShowsNoValueOfTheHostEnvironment() {
        assumeLanguage(Language.PYTHON);
        ExecutionResult r = succeeded(hostile().execute(Code.python("""
                        import os
                        seen = {}
                        for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
                            for name in ("environ", "cmdline"):
                                path = "/proc/%s/%s" % (pid, name)
                                try:
                                    with open(path, "rb") as f:
                                        seen[path] = f.read(1 << 16).decode("utf-8", "replace").replace("\\0", "\\n")
                                except OSError:
                                    pass
                            if len(seen) > 4000:
                                break
                        _result = {"seen": seen, "own": dict(os.environ)}
                        """).withTimeout(Duration.ofSeconds(20))));
        Map<?, ?> result = (Map<?, ?>) r.result();
        Map<?, ?> seen = (Map<?, ?>) result.get("seen");
        @SuppressWarnings("unchecked")
        Map<String, ?> own = (Map<String, ?>) result.get("own");
        assertThat(seen)
                .as("the code read its own /proc entries: %s", describe(r))
                .isNotEmpty();
        Map<String, String> host = hostValues(own);
        List<String> leaks = new ArrayList<>();
        seen.forEach((path, content) -> host.forEach((name, value) -> {
            // A command line names the paths a sandbox binds: a path is no secret there.
            boolean cmdline = String.valueOf(path).endsWith("/cmdline");
            if (String.valueOf(content).contains(value) && !(cmdline && value.startsWith("/"))) {
                leaks.add(path + " shows the host's " + name);
            }
        }));
        assertThat(leaks)
                .as("host values in /proc (%d values checked)", host.size())
                .isEmpty();
    }

    @Test
    void theJvmsEnvironIsNotReadable() {
        assumeLanguage(Language.PYTHON);
        long jvm = ProcessHandle.current().pid();
        ExecutionResult r =
                hostile().execute(Code.python(python(Map.of("JVM", jvm), """
                        import os
                        print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), flush=True)
                        with open("/proc/%d/environ" % JVM, "rb") as f:
                            _result = f.read().decode("utf-8", "replace")
                        """)).withTimeout(Duration.ofSeconds(10)));
        if (r.success()) {
            // In its own PID namespace, the sandbox may have a process of the same number: its
            // environment is the sandbox's, never the JVM's.
            assertThat(r.stdout())
                    .as("the code read the environ of pid %d: %s", jvm, describe(r))
                    .containsPattern("[\\[ ]" + jvm + "[,\\]]");
            ExecutionResult own = succeeded(hostile().execute(Code.python("import os\n_result = dict(os.environ)\n")));
            @SuppressWarnings("unchecked")
            Map<String, ?> ownValues = (Map<String, ?>) own.result();
            hostValues(ownValues)
                    .forEach((name, value) -> assertThat(String.valueOf(r.result()))
                            .as("the environ of pid %d shows the host's %s", jvm, name)
                            .doesNotContain(value));
        } else {
            assertThat(r.errorType())
                    .as(describe(r))
                    .isIn("FileNotFoundError", "PermissionError", "ProcessLookupError");
        }
    }

    /** A variable planted in the host environment of a child JVM appears nowhere in the sandbox's /proc. */
    @Test
    void procShowsNoPlantedHostVariable() throws IOException, InterruptedException {
        assumeLanguage(Language.PYTHON);
        String planted = "exxec-kit-planted-" + UUID.randomUUID();
        ChildJvm.Report report = ChildJvm.run(
                factory(),
                Map.of(),
                Language.PYTHON,
                """
                import os
                mark = b"exxec-kit-" + b"planted-"
                found, scanned = [], 0
                for pid in os.listdir("/proc"):
                    if not pid.isdigit():
                        continue
                    for name in ("environ", "cmdline"):
                        try:
                            with open("/proc/%s/%s" % (pid, name), "rb") as f:
                                data = f.read()
                        except OSError:
                            continue
                        scanned += 1
                        if mark in data:
                            found.append("/proc/%s/%s" % (pid, name))
                print("scanned:%d" % scanned)
                print("found:%s" % ",".join(found))
                """,
                "256m",
                Map.of("EXXEC_KIT_PLANTED", planted),
                Duration.ofSeconds(20));
        assertThat(report.field("success")).as(report.output()).isEqualTo("true");
        String stdout = report.stdout();
        assertThat(stdout).as(report.output()).containsPattern("scanned:[1-9]");
        assertThat(stdout)
                .as("the planted host variable is visible in the sandbox")
                .contains("found:\n");
    }

    // 9. Writes outside the workspace

    @Test
    void writesOutsideTheWorkspaceDoNotReachTheHost() throws IOException {
        assumeLanguage(Language.PYTHON);
        String id = UUID.randomUUID().toString();
        List<String> refused = List.of(
                "/etc/exxec-x-" + id,
                "/usr/exxec-x-" + id,
                "/exxec-x-" + id,
                HostSide.home().resolve("exxec-x-" + id).toString());
        String tmp = "/tmp/exxec-x-" + id;
        List<String> all = new ArrayList<>(refused);
        all.add(tmp);
        String write = "with open(TARGET, \"w\") as f:\n    f.write(\"exxec-kit\")\n_result = \"written\"\n";
        try {
            for (String target : refused) {
                ExecutionResult r = hostile()
                        .execute(Code.python(python(Map.of("TARGET", target), write))
                                .withTimeout(Duration.ofSeconds(10)));
                assertThat(r.success())
                        .as("writing %s: %s", target, describe(r))
                        .isFalse();
                assertThat(r.errorType())
                        .as("writing %s: %s", target, describe(r))
                        .isIn(FILE_REFUSALS);
            }
            // The sandbox's private /tmp may take it, but the host's must not see it.
            hostile().execute(Code.python(python(Map.of("TARGET", tmp), write)).withTimeout(Duration.ofSeconds(10)));
            for (String path : all) {
                assertThat(Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS))
                        .as("%s on the host", path)
                        .isFalse();
            }
        } finally {
            for (String path : all) {
                Files.deleteIfExists(Path.of(path));
            }
        }
    }

    // 10. Signals

    @Test
    void killingTheJvmAndHostProcessesFails() throws IOException, InterruptedException {
        assumeLanguage(Language.PYTHON);
        String mark = "60." + (100000 + (int) (Math.random() * 800000));
        Process sleep;
        try {
            sleep = new ProcessBuilder("sleep", mark).start();
        } catch (IOException e) {
            Assumptions.abort("cannot start a host sleep: " + e);
            return;
        }
        try {
            long jvm = ProcessHandle.current().pid();
            ExecutionResult r = hostile()
                    .execute(Code.python(python(Map.of("JVM", jvm, "SLEEP", sleep.pid(), "MARK", mark), """
                                    import os, signal

                                    def visible(pid):
                                        # A process of the same number in the sandbox's own namespace is not the host's.
                                        try:
                                            os.kill(pid, 0)
                                        except OSError:
                                            return False
                                        try:
                                            with open("/proc/%d/cmdline" % pid, "rb") as f:
                                                return MARK.encode() in f.read()
                                        except OSError:
                                            return True

                                    outcomes = {}
                                    if visible(SLEEP):
                                        # A sandbox that shows host processes would let kill(-1) end every one of them.
                                        outcomes["refused"] = "the host's sleep %d is visible and signalable" % SLEEP
                                    else:
                                        for name, pid in (("jvm", JVM), ("sleep", SLEEP)):
                                            try:
                                                os.kill(pid, signal.SIGKILL)
                                                outcomes[name] = "sent"
                                            except OSError as e:
                                                outcomes[name] = type(e).__name__
                                        print(outcomes, flush=True)
                                        os.kill(-1, signal.SIGKILL)
                                        outcomes["all"] = "sent"
                                    _result = outcomes
                                    """))
                            .withTimeout(Duration.ofSeconds(10)));
            // The result may be a failure: kill(-1) may have killed the code's own helpers.
            assertThat(String.valueOf(r.result()))
                    .as("the code could see a host process: %s", describe(r))
                    .doesNotContain("refused");
            Thread.sleep(300);
            assertThat(sleep.isAlive())
                    .as("the host's sleep after: %s", describe(r))
                    .isTrue();
            assertThat(ProcessHandle.current().isAlive()).isTrue();
        } finally {
            sleep.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    // 11. Symbolic links out of the workspace

    /** Inside, a link to a host file shows the sandbox's own view; the secret never. */
    @Test
    void linksOutOfTheWorkspaceDoNotReachTheHostFromInside() throws IOException {
        assumeLanguage(Language.PYTHON);
        Path dir = Files.createTempDirectory("exxec-kit-outside-");
        String canary = "exxec-kit-canary-" + UUID.randomUUID();
        Files.writeString(dir.resolve("canary.txt"), canary);
        HostSide.PlantedSecret secret = plant();
        try (secret) {
            String prefix = "inside-" + UUID.randomUUID() + "-";
            ExecutionResult r = succeeded(hostile()
                    .execute(Code.python(python(
                                    Map.of(
                                            "PREFIX",
                                            prefix,
                                            "SECRET",
                                            secret.path().toString(),
                                            "DIR",
                                            dir.toString()),
                                    """
                            import os
                            os.symlink(SECRET, PREFIX + "secret")
                            os.symlink(DIR, PREFIX + "dir")
                            os.symlink("/etc/passwd", PREFIX + "passwd")
                            seen = {}
                            for name in ("secret", "dir/canary.txt", "passwd"):
                                try:
                                    with open(PREFIX + name) as f:
                                        seen[name] = f.read()
                                except OSError as e:
                                    seen[name] = type(e).__name__
                            for name in ("secret", "dir", "passwd"):
                                os.unlink(PREFIX + name)
                            _result = seen
                            """))
                            .withTimeout(Duration.ofSeconds(10))));
            assertThat(describe(r)).doesNotContain(secret.value()).doesNotContain(canary);
        } finally {
            HostSide.deleteTree(dir);
        }
    }

    /**
     * On the host side, {@code files()} refuses to follow a workspace link out of the workspace: no
     * read, write, listing or directory through it, and deleting the link removes only the link.
     */
    @Test
    void linksOutOfTheWorkspaceDoNotReachTheHostThroughFiles() throws IOException {
        assumeLanguage(Language.PYTHON);
        assumeFiles();
        Path dir = Files.createTempDirectory("exxec-kit-outside-");
        Path canaryFile = dir.resolve("canary.txt");
        String canary = "exxec-kit-canary-" + UUID.randomUUID();
        Files.writeString(canaryFile, canary);
        HostSide.PlantedSecret secret = plant();
        try (secret) {
            String prefix = "outside-" + UUID.randomUUID() + "-";
            succeeded(hostile()
                    .execute(Code.python(python(
                                    Map.of(
                                            "PREFIX",
                                            prefix,
                                            "SECRET",
                                            secret.path().toString(),
                                            "DIR",
                                            dir.toString()),
                                    """
                            import os
                            os.symlink(SECRET, PREFIX + "secret")
                            os.symlink(DIR, PREFIX + "dir")
                            os.symlink("/etc/passwd", PREFIX + "passwd")
                            os.symlink("/", PREFIX + "root")
                            os.symlink("..", PREFIX + "up")
                            """))
                            .withTimeout(Duration.ofSeconds(10))));
            WorkspaceFiles files = hostile().files();
            assertThat(files.stat(prefix + "secret").type())
                    .as("stat does not follow the link")
                    .isEqualTo(FileEntry.Type.SYMLINK);
            // No write through a link to a host file the test does not own: /etc/passwd is read only.
            Map<String, ThrowingCallable> operations = new LinkedHashMap<>();
            operations.put("read secret", () -> files.read(prefix + "secret"));
            operations.put("readString secret", () -> files.readString(prefix + "secret"));
            operations.put("write secret", () -> files.writeString(prefix + "secret", "overwritten"));
            operations.put("read passwd", () -> files.read(prefix + "passwd"));
            operations.put("read dir/canary.txt", () -> files.read(prefix + "dir/canary.txt"));
            operations.put("list dir", () -> files.list(prefix + "dir"));
            operations.put("write dir/new.txt", () -> files.writeString(prefix + "dir/new.txt", "new"));
            operations.put("mkdir dir/sub", () -> files.mkdir(prefix + "dir/sub"));
            operations.put("list root", () -> files.list(prefix + "root"));
            operations.put("read root/etc/passwd", () -> files.read(prefix + "root/etc/passwd"));
            operations.put("list up", () -> files.list(prefix + "up"));
            operations.forEach((what, operation) -> assertThatThrownBy(operation)
                    .as(what + " through a link out of the workspace")
                    .isInstanceOfSatisfying(
                            FileOperationException.class,
                            e -> assertThat(e.reason())
                                    .as(what + ": " + e.getMessage())
                                    .isIn(
                                            FileOperationException.Reason.OUTSIDE_WORKSPACE,
                                            FileOperationException.Reason.NOT_FOUND)));
            assertThat(Files.readString(secret.path()))
                    .as("the host secret file")
                    .isEqualTo(secret.value());
            assertThat(Files.exists(dir.resolve("new.txt"))).isFalse();
            assertThat(Files.exists(dir.resolve("sub"))).isFalse();

            files.delete(prefix + "secret");
            files.delete(prefix + "dir");
            assertThat(files.exists(prefix + "secret")).isFalse();
            assertThat(files.exists(prefix + "dir")).isFalse();
            assertThat(Files.readString(secret.path()))
                    .as("the host file behind a deleted link")
                    .isEqualTo(secret.value());
            assertThat(Files.readString(canaryFile))
                    .as("the host directory behind a deleted link")
                    .isEqualTo(canary);
            for (String name : List.of("passwd", "root", "up")) {
                // Through the sandbox: the provider's own delete is not trusted with a link to "/".
                succeeded(hostile()
                        .execute(Code.python(python(Map.of("LINK", prefix + name), "import os\nos.unlink(LINK)\n"))
                                .withTimeout(Duration.ofSeconds(10))));
            }
        } finally {
            HostSide.deleteTree(dir);
        }
    }

    // 12. After the whole area

    @Test
    @Order(Integer.MAX_VALUE)
    void environmentStillWorksAndCloseLeavesNothing() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = hostile();
        ExecutionResult r = succeeded(env.execute(Code.python("_result = 1")));
        assertThat(r.result()).as(describe(r)).isEqualTo(1);

        List<String> heartbeats = new ArrayList<>();
        if (env.capabilities().files()) {
            for (FileEntry entry : env.files().list(".")) {
                if (entry.name().endsWith(".hb")) {
                    heartbeats.add(entry.name());
                }
            }
            Map<String, Long> before = new TreeMap<>();
            heartbeats.forEach(h -> before.put(h, sizeOf(env, h)));
            Thread.sleep(BEAT_WINDOW);
            Map<String, Long> after = new TreeMap<>();
            heartbeats.forEach(h -> after.put(h, sizeOf(env, h)));
            assertThat(after).as("heartbeats the area left behind").isEqualTo(before);
        }

        Optional<Path> hostWorkspace = HostSide.locateWorkspace(env);
        List<Long> hostPids = new ArrayList<>();
        List<EventStream> streams = new ArrayList<>();
        try {
            if (env.capabilities().streaming()) {
                EventStream s = env.stream(Code.python("import time\ntime.sleep(300)\n"));
                streams.add(s);
                startedPid(s).ifPresent(hostPids::add);
            }
            if (env.capabilities().processes()) {
                BackgroundProcess p = env.processes().start("sleep 300");
                p.pid().ifPresent(hostPids::add);
            }
            // Only processes of this JVM are host processes for certain: others may be the numbers of
            // a namespace.
            Set<Long> ours = new HashSet<>();
            ProcessHandle.current().descendants().forEach(h -> ours.add(h.pid()));
            hostPids.retainAll(ours);

            long start = System.nanoTime();
            env.close();
            assertThat(since(start)).as("close() takes").isLessThan(Duration.ofSeconds(10));
            if (!hostPids.isEmpty()) {
                Outcomes.awaitGone(
                        HostProbe.localHost(),
                        hostPids.stream().map(ProcessRef::of).toList(),
                        Duration.ofSeconds(3));
            }
            hostWorkspace.ifPresent(path -> assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS))
                    .as("the workspace %s after close", path)
                    .isFalse());
        } finally {
            for (EventStream s : streams) {
                s.close();
            }
        }
    }

    private static Optional<Long> startedPid(EventStream s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExecutionEvent> e = s.next(Duration.ofMillis(100));
            if (e.isPresent() && e.get() instanceof ExecutionEvent.Started started) {
                return Optional.ofNullable(started.pid());
            }
        }
        return Optional.empty();
    }
}
