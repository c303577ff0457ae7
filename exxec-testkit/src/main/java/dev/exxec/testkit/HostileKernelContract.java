package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.BackgroundProcess;
import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.ProcessSpec;
import dev.exxec.Terminal;
import dev.exxec.TerminalSize;
import dev.exxec.TerminalSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hostile code against the kernel the environment shares with the host (issue 13): what a sandbox
 * or a container must not let its code touch even when every file permission would allow it. Kernel
 * settings under {@code /proc/sys} are read-only to every kind of process (commands, code of each
 * language, the first and the later calls, background processes, terminals, sessions); a call's
 * variables reach no process outside the environment (the host-side launcher included); the kernel
 * interfaces a program never needs ({@code keyctl}, {@code io_uring}, {@code perf_event_open},
 * {@code userfaultfd}, {@code ptrace}, {@code bpf}, new user namespaces) are refused by the system
 * call filter, and the {@code /proc} files that show the kernel's or the host's state are masked;
 * calls share no devices ({@code /dev}, {@code /dev/shm}); nothing inside shows the host's paths; and
 * the code is never the host's root.
 *
 * <p>Like {@link HostileContract}, the area runs only where the environment declares isolation
 * {@link Isolation#OS_SANDBOX} or stronger.
 */
abstract class HostileKernelContract extends HostileArea {
    /** The kernel setting every write attempt aims at: harmless to write back, present on every kernel. */
    private static final String SETTING = "/proc/sys/kernel/printk_ratelimit_burst";

    HostileKernelContract(EnvironmentFactory factory) {
        super(factory);
    }

    private static Code python(String source) {
        return Code.python(source).withTimeout(Duration.ofSeconds(20));
    }

    // 1. Kernel settings

    /**
     * A shell line that writes the setting's own value back to it and prints {@code WROTE} when the
     * kernel took it: harmless on a machine where the write goes through, and proof that it did.
     */
    private static final String WRITE_SETTING =
            "v=$(cat " + SETTING + ") && echo \"$v\" > " + SETTING + " 2>/dev/null && echo WROTE || echo REFUSED";

    /** The same in Python. */
    private static final String PY_WRITE_SETTING = """
            def write_setting():
                try:
                    with open("%1$s") as f:
                        value = f.read()
                    with open("%1$s", "w") as f:
                        f.write(value)
                    return "WROTE"
                except OSError as e:
                    return "REFUSED " + type(e).__name__
            """.formatted(SETTING);

    @Test
    void kernelSettingsAreReadOnlyToEveryKindOfProcess() throws InterruptedException {
        assumeTrue(Files.isReadable(Path.of(SETTING)), SETTING + " is not on this machine's kernel");
        ExecutionEnvironment env = hostile();
        Map<String, String> outcomes = new TreeMap<>();
        if (env.capabilities().commands()) {
            outcomes.put(
                    "command", env.executeCommand(Command.of(WRITE_SETTING)).stdout());
        }
        if (env.capabilities().supports(Language.PYTHON)) {
            // The first calls may run before a warm interpreter is ready, later ones in it: several.
            for (int i = 0; i < 4; i++) {
                ExecutionResult r = succeeded(env.execute(python(PY_WRITE_SETTING + "_result = write_setting()")));
                outcomes.put("python call " + i, String.valueOf(r.result()));
            }
            if (env.capabilities().sessions()) {
                try (CodeSession session = env.session(Language.PYTHON)) {
                    ExecutionResult r = succeeded(session.execute(PY_WRITE_SETTING + "_result = write_setting()"));
                    outcomes.put("python session", String.valueOf(r.result()));
                }
            }
        }
        String js = """
                const fs = require("fs");
                let outcome;
                try {
                    fs.writeFileSync("%1$s", fs.readFileSync("%1$s"));
                    outcome = "WROTE";
                } catch (e) {
                    outcome = "REFUSED " + e.code;
                }
                _result = outcome;
                """.formatted(SETTING);
        if (env.capabilities().supports(Language.JAVASCRIPT)) {
            ExecutionResult r = succeeded(env.execute(Code.javascript(js).withTimeout(Duration.ofSeconds(20))));
            outcomes.put("javascript", String.valueOf(r.result()));
        }
        if (env.capabilities().supports(Language.TYPESCRIPT)) {
            ExecutionResult r = succeeded(
                    env.execute(Code.typescript(js.replace("_result = outcome", "_result = outcome as string"))
                            .withTimeout(Duration.ofSeconds(20))));
            outcomes.put("typescript", String.valueOf(r.result()));
        }
        if (env.capabilities().processes()) {
            BackgroundProcess p = env.processes().start(ProcessSpec.of(WRITE_SETTING));
            assertThat(p.waitFor(Duration.ofSeconds(20)))
                    .as("the background process ended")
                    .isPresent();
            outcomes.put("background process", p.output().stdout());
        }
        if (env.capabilities().terminals()) {
            outcomes.put("terminal", terminalOutput(env, WRITE_SETTING + "; echo END-OF-TEST"));
        }
        assertThat(outcomes).as("what each kind of process got").isNotEmpty();
        outcomes.forEach((kind, outcome) -> assertThat(outcome)
                .as("%s writing %s", kind, SETTING)
                .contains("REFUSED")
                .doesNotContain("WROTE"));
    }

    /** What a terminal running {@code command} printed until {@code END-OF-TEST}. */
    private static String terminalOutput(ExecutionEnvironment env, String command) {
        try (Terminal t =
                env.terminals().open(TerminalSpec.of(TerminalSize.of(200, 24)).withCommand(command))) {
            return t.readUntil("END-OF-TEST", Duration.ofSeconds(20));
        }
    }

    // 2. A call's variables stay inside

    /**
     * glibc's own {@code libpcprofile.so} creates the file named by {@code PCPROFILE_OUTPUT} when it is
     * loaded: preloaded into every process that sees the call's variables, it shows where they went.
     */
    private static Optional<Path> pcprofile() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64")) {
            Path p = Path.of(dir, "libpcprofile.so");
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Test
    void aCallsVariablesReachNoProcessOutsideTheEnvironment() throws IOException, InterruptedException {
        Optional<Path> lib = pcprofile();
        assumeTrue(
                lib.isPresent(), "glibc's libpcprofile.so is not on this machine: nothing shows where a variable went");
        ExecutionEnvironment env = hostile();
        Path dir = Files.createTempDirectory("exxec-kit-preload-");
        try {
            List<String> kinds = new ArrayList<>();
            int[] n = {0};
            java.util.function.Function<String, Map<String, String>> variables = preload -> {
                Path marker = dir.resolve("loaded-" + (n[0]++));
                return Map.of("LD_PRELOAD", preload, "PCPROFILE_OUTPUT", marker.toString());
            };
            String absolute = lib.get().toString();
            if (env.capabilities().commands()) {
                // A library the code put in the workspace, named relative to the working directory.
                succeeded(env.executeCommand(Command.of("cp " + absolute + " ./exxec-kit-shim.so")));
                for (String preload : List.of(absolute, "./exxec-kit-shim.so")) {
                    env.executeCommand(Command.of("true").withEnv(variables.apply(preload)));
                    kinds.add("command with LD_PRELOAD=" + preload);
                }
            }
            for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
                if (env.capabilities().supports(language)) {
                    for (int i = 0; i < 3; i++) {
                        env.execute(Code.of(language, language == Language.PYTHON ? "_result = 1" : "_result = 1;")
                                .withEnv(variables.apply(absolute))
                                .withTimeout(Duration.ofSeconds(20)));
                    }
                    kinds.add(language + " code");
                }
            }
            if (env.capabilities().processes()) {
                ProcessSpec spec = ProcessSpec.of("true");
                for (Map.Entry<String, String> v : variables.apply(absolute).entrySet()) {
                    spec = spec.withEnv(v.getKey(), v.getValue());
                }
                env.processes().start(spec).waitFor(Duration.ofSeconds(20));
                kinds.add("background process");
            }
            if (env.capabilities().terminals()) {
                TerminalSpec spec = TerminalSpec.of(TerminalSize.of(80, 24)).withCommand("echo END-OF-TEST");
                for (Map.Entry<String, String> v : variables.apply(absolute).entrySet()) {
                    spec = spec.withEnv(v.getKey(), v.getValue());
                }
                try (Terminal t = env.terminals().open(spec)) {
                    t.readUntil("END-OF-TEST", Duration.ofSeconds(20));
                }
                kinds.add("terminal");
            }
            assumeTrue(!kinds.isEmpty(), "the environment runs neither commands nor code");
            try (var loaded = Files.list(dir)) {
                assertThat(loaded.map(p -> p.getFileName().toString()).toList())
                        .as(
                                "host files made by a preloaded library: a call's variables reached a host process"
                                        + " (tried: %s)",
                                kinds)
                        .isEmpty();
            }
        } finally {
            HostSide.deleteTree(dir);
        }
    }

    // 3. The system call filter and the masked kernel interfaces

    /**
     * System calls no program here needs, each tried from Python with harmless arguments; it prints
     * NAME=errno for the refused and NAME=OK for what the kernel took. x86_64 and aarch64 numbers.
     */
    private static final String SYSCALLS = """
            import ctypes, os, platform
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            x86 = platform.machine() in ("x86_64", "amd64")
            numbers = {
                "keyctl": 250 if x86 else 219,
                "add_key": 248 if x86 else 217,
                "request_key": 249 if x86 else 218,
                "io_uring_setup": 425,
                "perf_event_open": 298 if x86 else 241,
                "userfaultfd": 323 if x86 else 282,
                "ptrace": 101 if x86 else 117,
                "bpf": 321 if x86 else 280,
                "unshare": 272 if x86 else 97,
                "mount": 165 if x86 else 40,
            }
            params = (ctypes.c_uint32 * 30)()
            perf = (ctypes.c_uint32 * 32)()
            perf[1] = 128  # size of perf_event_attr; type 0 (hardware), config 0 (cycles)
            args = {
                "keyctl": (0, -3, 0),  # KEYCTL_GET_KEYRING_ID of the session keyring, do not create
                "add_key": (ctypes.c_char_p(b"user"), ctypes.c_char_p(b"exxec"), ctypes.c_char_p(b"x"), 1, -3),
                "request_key": (ctypes.c_char_p(b"user"), ctypes.c_char_p(b"exxec"), None, 0),
                "io_uring_setup": (4, ctypes.byref(params)),
                "perf_event_open": (ctypes.byref(perf), 0, -1, -1, 0),
                "userfaultfd": (0,),
                "ptrace": (16, 1, 0, 0),  # PTRACE_ATTACH to pid 1
                "bpf": (0, 0, 0),
                "unshare": (0x10000000,),  # CLONE_NEWUSER
                "mount": (ctypes.c_char_p(b"none"), ctypes.c_char_p(b"/tmp"), ctypes.c_char_p(b"tmpfs"), 0, None),
            }
            out = []
            for name, number in numbers.items():
                r = libc.syscall(number, *args[name])
                out.append("%s=%s" % (name, "OK" if r >= 0 else os.strerror(ctypes.get_errno()).replace(" ", "_")))
            print(" ".join(out))
            """;

    /** What an allowed call of these may still fail with: the arguments, not the filter, refused it. */
    private static final Set<String> FILTER_REFUSALS = Set.of("Operation_not_permitted", "Function_not_implemented");

    @Test
    void systemCallsOfTheKernelsAttackSurfaceAreRefused() {
        ExecutionEnvironment env = hostile();
        assumeTrue(env.capabilities().supports(Language.PYTHON), "the environment does not run Python");
        Map<String, String> outputs = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            outputs.put(
                    "python call " + i, succeeded(env.execute(python(SYSCALLS))).stdout());
        }
        if (env.capabilities().commands()) {
            ExecutionResult r = env.executeCommand(Command.of("python3 - <<'EOF'\n" + SYSCALLS + "EOF\n"));
            if (r.success()) {
                outputs.put("command", r.stdout());
            }
        }
        outputs.forEach((kind, line) -> {
            assertThat(line).as(kind).contains("keyctl=");
            for (String word : line.trim().split(" ")) {
                String[] kv = word.split("=", 2);
                assertThat(kv[1])
                        .as("%s: %s was not refused by a system call filter (%s)", kind, kv[0], line.trim())
                        .isIn(FILTER_REFUSALS);
            }
        });
    }

    /** The {@code /proc} files that show the kernel's or the host's state, masked or absent inside. */
    private static final List<String> MASKED = List.of(
            "/proc/keys",
            "/proc/key-users",
            "/proc/kcore",
            "/proc/timer_list",
            "/proc/sched_debug",
            "/proc/sysrq-trigger",
            "/proc/kallsyms",
            "/proc/kmsg",
            "/proc/kpagecount",
            "/proc/kpageflags");

    @Test
    void kernelInterfacesTheCodeNeverNeedsAreMasked() {
        ExecutionEnvironment env = hostile();
        assumeTrue(env.capabilities().supports(Language.PYTHON), "the environment does not run Python");
        ExecutionResult r = succeeded(env.execute(python("""
                import os
                seen = {}
                for path in PATHS:
                    try:
                        with open(path, "rb") as f:
                            seen[path] = len(f.read(4096))
                    except OSError as e:
                        seen[path] = type(e).__name__
                for d in ("/sys/firmware", "/proc/acpi", "/proc/scsi"):
                    try:
                        seen[d] = len(os.listdir(d))
                    except OSError as e:
                        seen[d] = type(e).__name__
                _result = seen
                """.replace("PATHS", toPythonList(MASKED)))));
        @SuppressWarnings("unchecked")
        Map<String, Object> seen = (Map<String, Object>) r.result();
        seen.forEach((path, what) -> assertThat(what)
                .as("%s inside (bytes read or entries listed, or the error): %s", path, describe(r))
                .isIn(0, "FileNotFoundError", "PermissionError", "OSError"));
    }

    private static String toPythonList(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (String v : values) {
            s.append('"').append(v).append("\", ");
        }
        return s.append(']').toString();
    }

    // 4. Devices

    /**
     * Two calls share no more of {@code /dev} than of {@code /tmp}: where a file one call leaves in
     * {@code /tmp} is gone for the next (a sandbox gives each call its own), one it leaves in {@code
     * /dev/shm} is gone too; a {@code /dev/stdout} one replaced never captures the next one's output
     * (anywhere); and {@code /dev/shm} is bounded.
     */
    @Test
    void callsShareNoDevices() {
        ExecutionEnvironment env = hostile();
        assumeTrue(env.capabilities().supports(Language.PYTHON), "the environment does not run Python");
        String plant = "exxec-kit-" + UUID.randomUUID();
        for (int round = 0; round < 3; round++) {
            ExecutionResult planted = env.execute(
                    python("""
                    import os
                    done = []
                    for where in ("/dev/shm", "/tmp"):
                        try:
                            with open(where + "/NAME", "w") as f:
                                f.write("planted")
                            done.append(where)
                        except OSError as e:
                            done.append(where + ":" + type(e).__name__)
                    try:
                        os.unlink("/dev/stdout")
                        os.symlink("CAPTURE", "/dev/stdout")
                        done.append("stdout")
                    except OSError as e:
                        done.append("stdout:" + type(e).__name__)
                    _result = done
                    """.replace("NAME", plant).replace("CAPTURE", "/workspace/" + plant + "-capture")));
            assertThat(planted.success()).as(describe(planted)).isTrue();
            ExecutionResult next = succeeded(env.execute(python("""
                    import os
                    print("next-call-output", flush=True)
                    os.system("echo next-call-shell-output > /dev/stdout")
                    _result = [os.path.exists("/dev/shm/NAME"), os.path.exists("/tmp/NAME")]
                    """.replace("NAME", plant))));
            @SuppressWarnings("unchecked")
            List<Boolean> seen = (List<Boolean>) next.result();
            if (!seen.get(1)) {
                assertThat(seen.get(0))
                        .as(
                                "round %d: the next call does not see the planted /tmp file but sees the one in"
                                        + " /dev/shm: %s",
                                round, describe(next))
                        .isFalse();
            }
            assertThat(next.stdout()).as(describe(next)).contains("next-call-output", "next-call-shell-output");
            if (env.capabilities().files() && env.files().exists(plant + "-capture")) {
                assertThat(env.files().readString(plant + "-capture"))
                        .as("output captured by a replaced /dev/stdout")
                        .doesNotContain("next-call");
            }
        }
        // /dev/shm is bounded: a write of twice the private /tmp's size does not go through.
        ExecutionResult fill = env.execute(python("""
                import os
                written = 0
                try:
                    with open("/dev/shm/fill", "wb") as f:
                        chunk = b"x" * (1 << 20)
                        for _ in range(4096):
                            f.write(chunk)
                            written += len(chunk)
                except OSError as e:
                    pass
                _result = written
                """));
        if (fill.success()) {
            assertThat(((Number) fill.result()).longValue())
                    .as("bytes written to /dev/shm before it was full: %s", describe(fill))
                    .isLessThan(1L << 30);
        }
    }

    // 5. No host path and no host root inside

    /** Python that reads what /proc shows of every process it sees: command lines, variables, links. */
    private static final String PROC_VIEW = """
            import json, os
            seen = {}
            for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
                for name in ("cmdline", "environ"):
                    try:
                        with open("/proc/%s/%s" % (pid, name), "rb") as f:
                            seen["/proc/%s/%s" % (pid, name)] = f.read(1 << 16).decode("utf-8", "replace")
                    except OSError:
                        pass
                for name in ("cwd", "root", "exe"):
                    try:
                        seen["/proc/%s/%s" % (pid, name)] = os.readlink("/proc/%s/%s" % (pid, name))
                    except OSError:
                        pass
            print(json.dumps(seen))
            """;

    @Test
    void nothingInsideShowsTheHostsPaths() {
        ExecutionEnvironment env = hostile();
        assumeTrue(env.capabilities().supports(Language.PYTHON), "the environment does not run Python");
        Optional<Path> workspace = HostSide.locateWorkspace(env);
        List<String> hostPaths = new ArrayList<>();
        workspace.ifPresent(w -> {
            hostPaths.add(w.toString());
            hostPaths.add(w.getParent().toString());
        });
        hostPaths.add(Path.of(System.getProperty("java.io.tmpdir"), "exxec-").toString());
        hostPaths.add(System.getProperty("user.dir"));
        Map<String, String> views = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            views.put(
                    "python call " + i,
                    succeeded(env.execute(python(PROC_VIEW))).stdout());
        }
        if (env.capabilities().commands()) {
            views.put(
                    "command",
                    succeeded(env.executeCommand(Command.of("python3 - <<'EOF'\n" + PROC_VIEW + "EOF\n")))
                            .stdout());
        }
        views.forEach((kind, view) -> {
            assertThat(view).as("%s read /proc", kind).contains("/proc/");
            hostPaths.forEach(host -> assertThat(view)
                    .as("%s: /proc inside shows the host path %s", kind, host)
                    .doesNotContain(host));
        });
    }

    /**
     * The code is never the host's root: when this JVM runs as root, a file the code makes in the
     * workspace belongs to another user on the host (a sandbox's uid 1000 must not be host uid 0).
     */
    @Test
    void theCodeIsNeverTheHostsRoot() throws IOException {
        ExecutionEnvironment env = hostile();
        assumeTrue(env.capabilities().commands(), "the environment does not run commands");
        Optional<Path> workspace = HostSide.locateWorkspace(env);
        String name = "exxec-kit-owner-" + UUID.randomUUID();
        ExecutionResult r = succeeded(env.executeCommand(Command.of("touch " + name + " && id -u")));
        if (workspace.isPresent()) {
            int owner = (Integer) Files.getAttribute(workspace.get().resolve(name), "unix:uid");
            assertThat(owner)
                    .as(
                            "the host owner of a file the code made (the code reports uid %s)",
                            r.stdout().trim())
                    .isNotEqualTo(0);
        } else {
            // Without a view of the host side, the uid inside is the host's unless the runtime maps it:
            // it must not be 0 unless the environment was asked for root.
            assertThat(r.stdout().trim()).as("the code's uid").isNotEqualTo("0");
        }
    }
}
