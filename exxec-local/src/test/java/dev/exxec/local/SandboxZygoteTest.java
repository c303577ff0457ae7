package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.local.internal.Cgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
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
    /** The memory cgroup as the call sees it: "/" in a sandbox of its own, a sibling of the zygote's in a child. */
    private static final String CGROUP = """
            import os
            cg = [l.split(":", 2)[2] for l in open("/proc/self/cgroup").read().splitlines() if ":memory:" in l][0]
            """;

    @BeforeAll
    static void sandboxWithCgroups() {
        assumeTrue(Bubblewrap.probe().works(), "bubblewrap does not work here");
        assumeTrue(Cgroups.detect().available(), "no cgroups for per-call limits here");
    }

    private static ExecutionEnvironment sandbox() {
        return Exxec.environment("sandbox", Map.of("memory", "200m", "pids", Integer.toString(PIDS)));
    }

    private static String cgroup(ExecutionEnvironment env) {
        ExecutionResult r = env.execute(Code.python(CGROUP + "_result = cg\n"));
        assertThat(r.success()).as(r.toString()).isTrue();
        return (String) r.result();
    }

    /** Waits until calls run in children of the zygote (until it is ready they get sandboxes of their own). */
    private static String zygoteChild(ExecutionEnvironment env) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String cg = cgroup(env);
            if (cg.contains("exxec-")) {
                return cg;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no call ran in a child of a sandboxed zygote within 20 s");
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Path> hostCgroup(String controller, String name) throws IOException {
        try (Stream<Path> found = Files.find(
                Path.of("/sys/fs/cgroup", controller),
                6,
                (p, a) -> p.getFileName().toString().equals(name))) {
            return found.findFirst();
        }
    }

    @Test
    void eachCallRunsInAChildOfTheSandboxedZygoteInCgroupsOfItsOwnWithTheLimits() throws Exception {
        try (ExecutionEnvironment env = sandbox()) {
            String first = zygoteChild(env);
            String second = zygoteChild(env);
            assertThat(second).as("cgroups of its own per call").isNotEqualTo(first);
            CompletableFuture<ExecutionResult> running = CompletableFuture.supplyAsync(() -> env.execute(Code.python(
                            CGROUP + "open('cgroup.txt', 'w').write(cg)\nimport time\ntime.sleep(4)\n_result = cg\n")
                    .withTimeout(Duration.ofSeconds(20))));
            String cg = null;
            for (int i = 0; i < 200 && cg == null; i++) {
                if (env.files().exists("cgroup.txt")
                        && !env.files().readString("cgroup.txt").isEmpty()) {
                    cg = env.files().readString("cgroup.txt");
                } else {
                    Thread.sleep(20);
                }
            }
            assertThat(cg).as("the call wrote its cgroup").isNotNull().contains("exxec-");
            String name = Path.of(cg).getFileName().toString();
            // Seen from the host: the call's cgroups have the limits, and hold descendants of the zygote.
            Path memory = hostCgroup("memory", name).orElseThrow(() -> new AssertionError("no memory cgroup " + name));
            assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim())
                    .isEqualTo(Long.toString(MEMORY));
            Path pids = hostCgroup("pids", name).orElseThrow(() -> new AssertionError("no pids cgroup " + name));
            assertThat(Files.readString(pids.resolve("pids.max")).trim()).isEqualTo(Integer.toString(PIDS));
            List<String> procs = Files.readAllLines(memory.resolve("cgroup.procs"));
            assertThat(procs).as("the call's processes").isNotEmpty();
            for (String pid : procs) {
                Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(pid.trim()));
                boolean zygoteDescendant = false;
                while (p.isPresent() && !zygoteDescendant) {
                    p = p.get().parent();
                    zygoteDescendant =
                            p.isPresent() && commandLine(p.get().pid()).contains("python_zygote.py");
                }
                assertThat(zygoteDescendant)
                        .as("process %s descends from the zygote", pid)
                        .isTrue();
            }
            ExecutionResult r = running.get();
            assertThat(r.success()).as(r.toString()).isTrue();
            assertThat(Files.exists(memory))
                    .as("the call's cgroup is removed when it ended")
                    .isFalse();
        }
    }

    @Test
    void callsShareNoStateNoProcessesAndNoTmp() throws Exception {
        try (ExecutionEnvironment env = sandbox()) {
            zygoteChild(env);
            // A call leaves a file in /tmp, a variable, a module attribute and a process behind, and while
            // it runs another call looks for them.
            CompletableFuture<ExecutionResult> first = CompletableFuture.supplyAsync(
                    () -> env.execute(Code.python(CGROUP + """
                            import subprocess, sys, time
                            open("/tmp/exxec-zygote-mark", "w").write("1")
                            os.environ["EXXEC_MARK"] = "1"
                            sys.exxec_mark = 1
                            subprocess.Popen(["sleep", "30"], start_new_session=True)
                            open("first.txt", "w").write(cg)
                            time.sleep(3)
                            _result = cg
                            """).withTimeout(Duration.ofSeconds(20))));
            for (int i = 0; i < 250 && !env.files().exists("first.txt"); i++) {
                Thread.sleep(20);
            }
            String probe = CGROUP + """
                    import sys
                    _result = {
                        "cg": cg,
                        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                        "tmp": os.path.exists("/tmp/exxec-zygote-mark"),
                        "env": "EXXEC_MARK" in os.environ,
                        "module": hasattr(sys, "exxec_mark"),
                        "fifos": os.listdir("/run/exxec-fifos") if os.access("/run/exxec-fifos", os.R_OK) else None,
                    }
                    """;
            ExecutionResult during = env.execute(Code.python(probe));
            assertThat(first.get().success()).as(first.get().toString()).isTrue();
            ExecutionResult after = env.execute(Code.python(probe));
            Set<String> cgroups = new HashSet<>();
            cgroups.add((String) first.get().result());
            for (ExecutionResult r : List.of(during, after)) {
                assertThat(r.success()).as(r.toString()).isTrue();
                Map<?, ?> seen = (Map<?, ?>) r.result();
                assertThat((String) seen.get("cg")).as("a child of the zygote").contains("exxec-");
                cgroups.add((String) seen.get("cg"));
                assertThat(((List<?>) seen.get("pids"))
                                .stream().map(Object::toString).toList())
                        .as("only its own processes: its namespace's init and itself")
                        .containsExactly("1", "2");
                assertThat(seen.get("tmp")).as("another call's /tmp").isEqualTo(false);
                assertThat(seen.get("env")).as("another call's variable").isEqualTo(false);
                assertThat(seen.get("module")).as("another call's module state").isEqualTo(false);
                assertThat(seen.get("fifos")).as("the calls' FIFOs").isNull();
            }
            assertThat(cgroups).as("each call its own cgroups").hasSize(3);
        }
    }

    /** The fresh /tmp of a child keeps the sandbox's binds below /tmp, read-only or writable as they were. */
    @Test
    void bindsBelowTmpStayVisible(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(shared.resolve("in.txt"), "from the host");
        try (ExecutionEnvironment env = Exxec.environment(
                "sandbox", Map.of("memory", "200m", "bind", shared.toString(), "bindRw", List.of(out.toString())))) {
            zygoteChild(env);
            ExecutionResult r = env.execute(CGROUP + """
                    data = open("%1$s/in.txt").read()
                    try:
                        open("%1$s/new.txt", "w").write("no")
                        readonly = False
                    except OSError:
                        readonly = True
                    open("%2$s/result.txt", "w").write(data.upper())
                    _result = [data, readonly, "exxec-" in cg]
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
            ExecutionResult slow = env.execute(Code.python(CGROUP + """
                    import subprocess, time
                    subprocess.Popen(["sleep", "60"])
                    print(cg, flush=True)
                    time.sleep(60)
                    """).withTimeout(Duration.ofSeconds(1)));
            assertThat(slow.errorType()).as(slow.toString()).isEqualTo(dev.exxec.ErrorTypes.TIMEOUT);
            String name = Path.of(slow.stdout().trim()).getFileName().toString();
            assertThat(name).startsWith("exxec-");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hostCgroup("memory", name).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(hostCgroup("memory", name))
                    .as("its cgroup, emptied and removed")
                    .isEmpty();
            List<String> leftovers = new ArrayList<>();
            ProcessHandle.allProcesses()
                    .filter(p -> commandLine(p.pid()).startsWith("sleep 60"))
                    .forEach(p -> leftovers.add(p.pid() + ""));
            assertThat(leftovers).as("the call's sleep").isEmpty();
            ExecutionResult big = env.execute(Code.python("""
                    import os
                    print(open("/proc/self/cgroup").read(), flush=True)
                    blocks = [bytearray(32 << 20) for _ in range(20)]
                    """).withTimeout(Duration.ofSeconds(20)));
            assertThat(big.stdout()).as("a child of the zygote").contains("exxec-");
            assertThat(big.errorType()).as(big.toString()).isEqualTo(dev.exxec.ErrorTypes.MEMORY_LIMIT);
        }
    }
}
