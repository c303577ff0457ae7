package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.local.internal.SandboxUser;
import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One-shot Python on {@code sandbox} runs in a child forked by a zygote that itself runs in a
 * sandbox: each child in cgroups of its own with the call's limits, in PID, mount, IPC and network
 * namespaces of its own, sharing nothing with other calls.
 */
class SandboxZygoteTest {
    private static final long MEMORY = 200L * 1024 * 1024;
    private static final int PIDS = 48;
    /**
     * Whether the call runs in a child of a zygote: the init of its PID namespace is then a fork of
     * the zygote, in a sandbox of its own it is bubblewrap.
     */
    private static final String CHILD = """
            import os
            child = b"python_zygote.py" in open("/proc/1/cmdline", "rb").read()
            """;

    @BeforeAll
    static void sandboxWithCgroups() {
        Bubblewrap.Probe probe = Bubblewrap.probe();
        Requirements.require(probe.works(), "bubblewrap does not work here: " + probe.problem());
        assumeTrue(Cgroups.detect().available(), "no cgroups for per-call limits here");
    }

    private static ExecutionEnvironment sandbox() {
        return Exxec.environment("sandbox", Map.of("memory", "200m", "pids", Integer.toString(PIDS)));
    }

    private static boolean child(ExecutionEnvironment env) {
        ExecutionResult r = env.execute(Code.python(CHILD + "_result = child\n"));
        assertThat(r.success()).as(r.toString()).isTrue();
        return Boolean.TRUE.equals(r.result());
    }

    /** Waits until calls run in children of the zygote (until it is ready they get sandboxes of their own). */
    private static void zygoteChild(ExecutionEnvironment env) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (child(env)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no call ran in a child of a sandboxed zygote within 20 s");
    }

    /** The host processes whose command line is {@code line}. */
    private static List<Long> processes(String line) {
        return ProcessHandle.allProcesses()
                .filter(p -> commandLine(p.pid()).trim().equals(line))
                .map(ProcessHandle::pid)
                .toList();
    }

    /** The directory of a host process's cgroup of {@code controller} (cgroup v1, as here). */
    private static Path hostCgroup(long pid, String controller) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] f = l.split(":", 3);
            if (List.of(f[1].split(",")).contains(controller)) {
                return Path.of("/sys/fs/cgroup", controller, f[2].substring(1));
            }
        }
        throw new AssertionError("no " + controller + " cgroup for " + pid);
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until a host process has exactly {@code line} as its command line, and returns it. */
    private static long awaitProcess(String line) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            List<Long> found = processes(line);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no process " + line);
    }

    private static boolean descendsFromTheZygote(long pid) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        while (p.isPresent()) {
            p = p.get().parent();
            if (p.isPresent() && commandLine(p.get().pid()).contains("python_zygote.py")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void eachCallRunsInAChildOfTheSandboxedZygoteInCgroupsOfItsOwnWithTheLimits() throws Exception {
        try (ExecutionEnvironment env = sandbox()) {
            zygoteChild(env);
            Set<Path> cgroups = new HashSet<>();
            for (int call = 0; call < 2; call++) {
                String mark = "sleep 7." + call + (100000 + (int) (Math.random() * 800000));
                CompletableFuture<ExecutionResult> running = CompletableFuture.supplyAsync(
                        () -> env.execute(Code.python(CHILD + "import subprocess\nsubprocess.run('" + mark
                                        + "'.split())\n_result = child\n")
                                .withTimeout(Duration.ofSeconds(20))));
                long sleep = awaitProcess(mark);
                // Seen from the host: the call's cgroups have the limits, and hold descendants of the zygote.
                Path memory = hostCgroup(sleep, "memory");
                Path pids = hostCgroup(sleep, "pids");
                assertThat(memory.getFileName().toString()).startsWith("exxec-");
                assertThat(Files.readString(memory.resolve("memory.limit_in_bytes"))
                                .trim())
                        .isEqualTo(Long.toString(MEMORY));
                assertThat(Files.readString(pids.resolve("pids.max")).trim()).isEqualTo(Integer.toString(PIDS));
                List<String> procs = Files.readAllLines(memory.resolve("cgroup.procs"));
                assertThat(procs)
                        .as("the call's processes")
                        .hasSizeGreaterThanOrEqualTo(4); // spare, init, child, sleep
                for (String pid : procs) {
                    assertThat(descendsFromTheZygote(Long.parseLong(pid.trim())))
                            .as("process %s descends from the zygote", pid)
                            .isTrue();
                }
                cgroups.add(memory);
                ProcessHandle.of(sleep).ifPresent(ProcessHandle::destroy);
                ExecutionResult r = running.get();
                assertThat(r.result()).as(r.toString()).isEqualTo(true);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (Files.exists(memory) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(memory)
                        .as("the call's cgroup, removed when it ended")
                        .doesNotExist();
            }
            assertThat(cgroups).as("cgroups of its own per call").hasSize(2);
        }
    }

    @Test
    void callsShareNoStateNoProcessesAndNoTmp() throws Exception {
        try (ExecutionEnvironment env = sandbox()) {
            zygoteChild(env);
            // A call leaves a file in /tmp, a variable, a module attribute and a process behind, and while
            // it runs another call looks for them.
            CompletableFuture<ExecutionResult> first = CompletableFuture.supplyAsync(
                    () -> env.execute(Code.python(CHILD + """
                            import subprocess, sys, time
                            open("/tmp/exxec-zygote-mark", "w").write("1")
                            os.environ["EXXEC_MARK"] = "1"
                            sys.exxec_mark = 1
                            subprocess.Popen(["sleep", "30"], start_new_session=True)
                            open("first.txt", "w").write("1")
                            time.sleep(3)
                            _result = [child, open("/proc/self/cgroup").read()]
                            """).withTimeout(Duration.ofSeconds(20))));
            for (int i = 0; i < 250 && !env.files().exists("first.txt"); i++) {
                Thread.sleep(20);
            }
            String probe = CHILD + """
                    import sys
                    _result = {
                        "child": child,
                        "cgroup": open("/proc/self/cgroup").read(),
                        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                        "tmp": os.path.exists("/tmp/exxec-zygote-mark"),
                        "env": "EXXEC_MARK" in os.environ,
                        "module": hasattr(sys, "exxec_mark"),
                        "fifos": os.listdir("/run/exxec-fifos") if os.access("/run/exxec-fifos", os.R_OK) else None,
                    }
                    """;
            ExecutionResult during = env.execute(Code.python(probe));
            ExecutionResult firstResult = first.get();
            assertThat(firstResult.result()).as(firstResult.toString()).isInstanceOf(List.class);
            assertThat(((List<?>) firstResult.result()).get(0))
                    .as("a child of the zygote")
                    .isEqualTo(true);
            ExecutionResult after = env.execute(Code.python(probe));
            for (ExecutionResult r : List.of(during, after)) {
                assertThat(r.success()).as(r.toString()).isTrue();
                Map<?, ?> seen = (Map<?, ?>) r.result();
                assertThat(seen.get("child")).as("a child of the zygote").isEqualTo(true);
                assertThat(((List<?>) seen.get("pids"))
                                .stream().map(Object::toString).toList())
                        .as("only its own processes: its namespace's init and itself")
                        .containsExactly("1", "2");
                assertThat(seen.get("tmp")).as("another call's /tmp").isEqualTo(false);
                assertThat(seen.get("env")).as("another call's variable").isEqualTo(false);
                assertThat(seen.get("module")).as("another call's module state").isEqualTo(false);
                assertThat(seen.get("fifos")).as("the calls' FIFOs").isNull();
                assertThat((String) seen.get("cgroup"))
                        .as("its own cgroups are its root, as in a sandbox of its own")
                        .doesNotContain("exxec-");
            }
            assertThat(processes("sleep 30"))
                    .as("the first call's process, gone with it")
                    .isEmpty();
        }
    }

    /**
     * The CPU time limit holds for each child from its start, not for the zygote, which lives for many
     * calls; the open files limit is inherited.
     */
    @Test
    void cpuTimeIsLimitedPerChild() throws Exception {
        try (ExecutionEnvironment env =
                Exxec.environment("sandbox", Map.of("cpuTime", 1, "openFiles", 64, "timeout", 10))) {
            zygoteChild(env);
            for (int call = 0; call < 2; call++) {
                ExecutionResult busy = env.execute(CHILD + "print(child, flush=True)\nwhile True: pass\n");
                assertThat(busy.stdout()).as("a child of the zygote").startsWith("True");
                assertThat(busy.errorType()).as(busy.toString()).isEqualTo(dev.exxec.ErrorTypes.CPU_TIME_LIMIT);
                assertThat(busy.duration()).isLessThan(Duration.ofSeconds(5));
            }
            ExecutionResult files =
                    env.execute(CHILD + "print(child, flush=True)\nhandles = [open('/dev/null') for _ in range(100)]");
            assertThat(files.stdout()).as("a child of the zygote").startsWith("True");
            assertThat(files.error()).as(files.toString()).contains("Too many open files");
            assertThat(child(env))
                    .as("the zygote outlived the limit of its children")
                    .isTrue();
        }
    }

    /** The fresh /tmp of a child keeps the sandbox's binds below /tmp, read-only or writable as they were. */
    @Test
    void bindsBelowTmpStayVisible(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path out = Files.createDirectories(dir.resolve("out"));
        // A writable bind must be the sandbox's to write: when exxec runs as root, its own uid's.
        SandboxUser sandbox = SandboxUser.of(SandboxUser.DEFAULT_UID);
        if (sandbox.drops()) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            sandbox.own(out);
        }
        Files.writeString(shared.resolve("in.txt"), "from the host");
        try (ExecutionEnvironment env = Exxec.environment(
                "sandbox", Map.of("memory", "200m", "bind", shared.toString(), "bindRw", List.of(out.toString())))) {
            zygoteChild(env);
            ExecutionResult r = env.execute(CHILD + """
                    data = open("%1$s/in.txt").read()
                    try:
                        open("%1$s/new.txt", "w").write("no")
                        readonly = False
                    except OSError:
                        readonly = True
                    open("%2$s/result.txt", "w").write(data.upper())
                    _result = [data, readonly, child]
                    """.formatted(shared, out));
            assertThat(r.result()).as(r.toString()).isEqualTo(List.of("from the host", true, true));
        }
        assertThat(out.resolve("result.txt")).hasContent("FROM THE HOST");
        assertThat(shared.resolve("new.txt")).doesNotExist();
    }

    @Test
    void theCallsProcessesAreKilledAtTheDeadlineAndTheMemoryLimitHolds() throws Exception {
        try (ExecutionEnvironment env = sandbox()) {
            zygoteChild(env);
            String mark = "sleep 60." + (100000 + (int) (Math.random() * 800000));
            CompletableFuture<ExecutionResult> slow = CompletableFuture.supplyAsync(
                    () -> env.execute(Code.python(CHILD + "import subprocess, time\nsubprocess.Popen('" + mark
                                    + "'.split())\nprint(child, flush=True)\ntime.sleep(60)\n")
                            .withTimeout(Duration.ofSeconds(2))));
            Path memory = hostCgroup(awaitProcess(mark), "memory");
            ExecutionResult timedOut = slow.get();
            assertThat(timedOut.errorType()).as(timedOut.toString()).isEqualTo(dev.exxec.ErrorTypes.TIMEOUT);
            assertThat(timedOut.stdout()).as("a child of the zygote").startsWith("True");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((Files.exists(memory) || !processes(mark).isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(processes(mark)).as("the call's sleep").isEmpty();
            assertThat(memory).as("its cgroup, emptied and removed").doesNotExist();
            ExecutionResult big = env.execute(Code.python(CHILD + """
                    print(child, flush=True)
                    blocks = [bytearray(32 << 20) for _ in range(20)]
                    """).withTimeout(Duration.ofSeconds(20)));
            assertThat(big.stdout()).as("a child of the zygote").startsWith("True");
            assertThat(big.errorType()).as(big.toString()).isEqualTo(dev.exxec.ErrorTypes.MEMORY_LIMIT);
        }
    }
}
