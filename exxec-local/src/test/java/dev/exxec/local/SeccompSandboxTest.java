package dev.exxec.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.internal.Json;
import dev.exxec.internal.seccomp.SeccompArch;
import dev.exxec.internal.seccomp.SyscallTable;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.spi.DriverProtocol;
import dev.exxec.spi.SyscallFilter;
import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyscallFilter} against the real kernel: bubblewrap installs the compiled program ({@code bwrap
 * --seccomp 9}, the descriptor opened by the shell), and Python's ctypes makes the calls the policy
 * refuses (each first made without the filter, so that the test shows the filter is what refuses
 * them) and runs the workloads it must not break: Python, Node.js, tsx, Deno, sh and gcc's programs.
 * The zygote's filter is tried the way the zygote uses it: namespaces and mounts first, then the strict
 * filter loaded by python_zygote.py's own {@code _install_seccomp}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeccompSandboxTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String DENIED = "EPERM";
    /** Where a sandbox sees {@link #dir}. */
    private static final String INSIDE = "/mnt/test";

    private Path dir;

    /** {@code name} in {@link #dir}, as a sandbox sees it. */
    private static String inside(String name) {
        return INSIDE + "/" + name;
    }

    private Path bwrap;
    private Path strict;
    private Path zygote;
    private String numbers;

    @BeforeAll
    void prepare(@TempDir Path temp) throws IOException {
        dir = temp;
        Bubblewrap.Probe probe = Bubblewrap.probe();
        Requirements.require(probe.works(), "bubblewrap does not work here: " + probe.problem());
        Requirements.require(Files.isExecutable(PYTHON), PYTHON + " is missing: apt-get install python3");
        bwrap = Objects.requireNonNull(probe.executable());
        strict = Files.write(dir.resolve("strict.bpf"), SyscallFilter.STRICT.bpf());
        zygote = Files.write(dir.resolve("zygote.bpf"), SyscallFilter.ZYGOTE.bpf());
        SeccompArch arch =
                SeccompArch.valueOf(SyscallFilter.nativeArchitecture().name());
        numbers = Json.write(SyscallTable.of(arch).numbers());
        Files.write(dir.resolve("python_zygote.py"), DriverProtocol.resource(DriverProtocol.PYTHON_ZYGOTE));
        Files.writeString(dir.resolve("probe.py"), PROBE);
    }

    private record Result(int exit, String out, String err) {
        String last() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /**
     * Runs {@code command} in a sandbox like exxec's (user, PID, IPC, UTS, network namespaces, no
     * capabilities, read-only system), under {@code filter} when not null, with {@code extra} bwrap
     * options.
     */
    private Result sandboxed(@Nullable Path filter, List<String> extra, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                "f=$1; shift; exec \"$@\" 9<\"$f\"",
                "sh",
                filter == null ? "/dev/null" : filter.toString(),
                bwrap.toString()));
        if (filter != null) {
            argv.addAll(List.of("--seccomp", "9"));
        }
        argv.addAll(List.of(
                "--unshare-user",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-net",
                "--unshare-cgroup-try",
                "--uid",
                "1000",
                "--gid",
                "1000",
                "--die-with-parent",
                "--new-session",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                // the test's files, where the zygote's fresh /tmp does not hide them
                "--tmpfs",
                "/mnt",
                "--ro-bind",
                dir.toString(),
                INSIDE,
                "--clearenv",
                "--setenv",
                "PATH",
                "/usr/local/bin:/usr/bin:/bin",
                "--setenv",
                "HOME",
                "/tmp",
                "--setenv",
                "LANG",
                "C.UTF-8"));
        argv.addAll(extra);
        if (!extra.contains("/proc")) {
            argv.addAll(List.of("--proc", "/proc"));
        }
        argv.add("--");
        argv.addAll(List.of(command));
        return run(argv);
    }

    /** Runs {@code argv} to its end, for at most two minutes; its output is read on the side. */
    private static Result run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out: " + argv + "\nstderr so far is lost with the process");
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private Result sandboxed(@Nullable Path filter, String... command) throws Exception {
        return sandboxed(filter, List.of(), command);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> probe(@Nullable Path filter) throws Exception {
        Result r = sandboxed(filter, PYTHON.toString(), inside("probe.py"), numbers);
        assertThat(r.exit()).as(r.toString()).isZero();
        return (Map<String, Object>) Json.parse(r.last());
    }

    @Test
    void theKernelRefusesWhatThePolicyRefuses() throws Exception {
        Map<String, Object> open = probe(null);
        Map<String, Object> filtered = probe(strict);

        // Without the filter these work in the sandbox (what issue 13 found): the probe can tell.
        for (String call :
                List.of("keyctl", "add_key", "ptrace", "process_vm_readv", "personality_no_aslr", "unshare_newuser")) {
            assertThat(open.get(call)).as(call + " without the filter: " + open).isEqualTo("ok");
        }
        Map<String, Object> expected = new LinkedHashMap<>();
        for (String call : List.of(
                "keyctl",
                "add_key",
                "request_key",
                "io_uring_setup",
                "perf_event_open",
                "userfaultfd",
                "ptrace",
                "process_vm_readv",
                "process_vm_writev",
                "bpf",
                "unshare_newuser",
                "unshare_newns",
                "clone_newuser",
                "clone_newnet",
                "setns",
                "mount",
                "chroot",
                "personality_no_aslr",
                "socket_vsock",
                "socket_alg",
                "socket_packet",
                "open_by_handle_at")) {
            expected.put(call, DENIED);
        }
        expected.put("clone3", "ENOSYS");
        expected.put("unknown_1000", "ENOSYS");
        expected.put("personality_query", "ok");
        expected.put("socket_inet", "ok");
        expected.put("socket_unix", "ok");
        expected.put("socket_netlink", "ok");
        expected.put("fork", "ok");
        if (SyscallFilter.nativeArchitecture() == SyscallFilter.Architecture.X86_64) {
            expected.put("modify_ldt", DENIED);
            // SIGSYS: the process is killed, not the call refused
            expected.put("x32_getpid", "killed 31");
            expected.put("int80_getpid", "killed 31");
        }
        assertThat(filtered).containsAllEntriesOf(expected);
    }

    @Test
    void pythonRunsItsThreadsProcessesAndSockets() throws Exception {
        Files.writeString(dir.resolve("workload.py"), PYTHON_WORKLOAD);
        Result r = sandboxed(strict, PYTHON.toString(), inside("workload.py"));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.last()).isEqualTo("python ok");
    }

    @Test
    void nodeRunsItsWorkersChildrenAndFiles() throws Exception {
        Result r = sandboxed(strict, "node", "-e", NODE_WORKLOAD);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.last()).isEqualTo("node ok");
    }

    @Test
    void typeScriptRunsUnderTsxAndDeno() throws Exception {
        Files.writeString(dir.resolve("hello.ts"), """
                const n: number = [1, 2, 3].reduce((a: number, b: number) => a + b, 0);
                new Promise<string>((resolve) => setTimeout(() => resolve("typescript"), 10))
                    .then((word: string) => console.log(word + " " + n));
                """);
        Result tsx = sandboxed(strict, "tsx", inside("hello.ts"));
        assertThat(tsx.exit()).as(tsx.toString()).isZero();
        assertThat(tsx.last()).isEqualTo("typescript 6");
        Result deno = sandboxed(
                strict,
                List.of("--setenv", "DENO_DIR", "/tmp/deno", "--setenv", "DENO_NO_UPDATE_CHECK", "1"),
                "deno",
                "run",
                "--quiet",
                "--no-config",
                inside("hello.ts"));
        assertThat(deno.exit()).as(deno.toString()).isZero();
        assertThat(deno.last()).isEqualTo("typescript 6");
    }

    @Test
    void shellPipelinesAndCompiledProgramsRun() throws Exception {
        Result sh = sandboxed(
                strict,
                "/bin/sh",
                "-c",
                "seq 1 1000 | sort -rn | head -n 1 | sed s/1000/pipeline/; (sleep 0.1; echo background) & wait;"
                        + " echo \"$(echo sub)shell\" | tr a-z A-Z; ls /proc/self/fd | wc -l >/dev/null && echo done");
        assertThat(sh.exit()).as(sh.toString()).isZero();
        assertThat(sh.out()).isEqualTo("pipeline\nbackground\nSUBSHELL\ndone\n");

        Files.writeString(dir.resolve("hello.c"), C_PROGRAM);
        Result gcc = sandboxed(
                strict, "/bin/sh", "-c", "gcc -O1 -pthread -o /tmp/hello " + inside("hello.c") + " && /tmp/hello");
        assertThat(gcc.exit()).as(gcc.toString()).isZero();
        assertThat(gcc.out()).isEqualTo("thread 42\nchild 7\nc ok\n");
    }

    @Test
    void theZygoteMakesItsNamespacesThenLoadsTheStrictFilter() throws Exception {
        Result r = sandboxed(
                zygote,
                List.of(
                        "--cap-add",
                        "CAP_SYS_ADMIN",
                        "--cap-add",
                        "CAP_NET_ADMIN",
                        "--cap-add",
                        "CAP_SETPCAP",
                        "--bind",
                        "/proc",
                        "/proc"),
                PYTHON.toString(),
                "-c",
                ZYGOTE_CHILD,
                inside("python_zygote.py"),
                inside("strict.bpf"),
                numbers);
        assertThat(r.exit()).as(r.toString()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> seen = (Map<String, Object>) Json.parse(r.last());
        assertThat(seen)
                .containsEntry("unshare_newuser_in_zygote", DENIED)
                .containsEntry("setup", "ok")
                .containsEntry("mount_after", DENIED)
                .containsEntry("unshare_after", DENIED)
                .containsEntry("keyctl_after", DENIED)
                .containsEntry("io_uring_after", DENIED)
                .containsEntry("work_after", "ok");
    }

    @Test
    void aProcessLoadsTheStrictFilterItselfWithTheZygotesLoader() throws Exception {
        // No sandbox: python_zygote.py's loader on its own, as any process would use it.
        String zygoteFile = dir.resolve("python_zygote.py").toString();
        Result r = run(List.of(PYTHON.toString(), "-c", LOADER_ONLY, zygoteFile, strict.toString(), numbers));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("before ok after EPERM EPERM thread subprocess");

        Path broken = Files.write(dir.resolve("broken.bpf"), new byte[] {1, 2, 3});
        Result refused = run(List.of(PYTHON.toString(), "-c", LOADER_ONLY, zygoteFile, broken.toString(), numbers));
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).contains("not a seccomp program");
    }

    /** Loads python_zygote.py's {@code _install_seccomp} alone (the module itself would start a zygote). */
    private static final String LOAD_INSTALLER = """
            import ast, os
            def load_installer(path):
                with open(path) as f:
                    tree = ast.parse(f.read(), path)
                found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_install_seccomp"]
                namespace = {"os": os}
                exec(compile(ast.Module(body=found, type_ignores=[]), path, "exec"), namespace)
                return namespace["_install_seccomp"]
            """;

    private static final String LOADER_ONLY = LOAD_INSTALLER + """
            import ctypes, errno, json, subprocess, sys, threading
            NR = json.loads(sys.argv[3])
            libc = ctypes.CDLL(None, use_errno=True)
            def call(name, *args):
                r = libc.syscall(ctypes.c_long(NR[name]), *[ctypes.c_ulong(a & (2**64 - 1)) for a in args])
                return "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()]
            before = call("keyctl", 0, -4, 0)  # KEYCTL_GET_KEYRING_ID of the user keyring
            load_installer(sys.argv[1])(sys.argv[2])
            after = [call("keyctl", 0, -4, 0), call("io_uring_setup", 1, 0)]
            t = threading.Thread(target=lambda: None)
            t.start()
            t.join()
            print("before", before, "after", *after, "thread", subprocess.run(["echo", "subprocess"],
                capture_output=True, text=True, check=True).stdout.strip())
            """;

    /**
     * Each probe's outcome: {@code ok}, the errno's name, or {@code killed N} when signal N ended the
     * child that tried it. Calls that would change the probe itself run in a child.
     */
    private static final String PROBE = """
            import ctypes, errno, json, mmap, os, signal, socket, sys
            NR = json.loads(sys.argv[1])
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long

            def arg(a):
                if isinstance(a, int):
                    return ctypes.c_ulong(a & (2**64 - 1))
                return a

            def raw(nr, *args):
                ctypes.set_errno(0)
                r = libc.syscall(ctypes.c_long(nr), *[arg(a) for a in args])
                return "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))

            def call(name, *args):
                return raw(NR[name], *args)

            def in_child(attempt):
                # the attempt's outcome as the child's exit: 0 ok, else errno; or the signal that killed it
                pid = os.fork()
                if pid == 0:
                    try:
                        outcome = attempt()
                        os._exit(0 if outcome == "ok" else getattr(errno, outcome, 120))
                    except BaseException:
                        os._exit(121)
                _, status = os.waitpid(pid, 0)
                if os.WIFSIGNALED(status):
                    return "killed %d" % os.WTERMSIG(status)
                code = os.WEXITSTATUS(status)
                return "ok" if code == 0 else errno.errorcode.get(code, str(code))

            def fork_like(name, *args):
                # clone and clone3 as fork: the child leaves at once
                def attempt():
                    ctypes.set_errno(0)
                    r = libc.syscall(ctypes.c_long(NR[name]), *[arg(a) for a in args])
                    if r == 0:
                        os._exit(0)
                    if r < 0:
                        return errno.errorcode.get(ctypes.get_errno(), "?")
                    os.waitpid(r, 0)
                    return "ok"
                return in_child(attempt)

            SIGCHLD, CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWNS = 17, 0x10000000, 0x40000000, 0x20000
            out = {}
            out["keyctl"] = call("keyctl", 0, -4, 0)
            out["add_key"] = call("add_key", b"user", b"exxec-probe", b"secret", 6, -2)
            out["request_key"] = call("request_key", b"user", b"exxec-probe-absent", None, 0)
            out["io_uring_setup"] = call("io_uring_setup", 1, ctypes.create_string_buffer(120))
            attr = bytearray(128)
            attr[0:4] = (1).to_bytes(4, "little")  # PERF_TYPE_SOFTWARE, config 0: the CPU clock
            attr[4:8] = (128).to_bytes(4, "little")
            attr[40] = 0x60  # exclude_kernel, exclude_hv
            out["perf_event_open"] = call("perf_event_open", ctypes.create_string_buffer(bytes(attr), 128), 0, -1, -1, 0)
            out["userfaultfd"] = call("userfaultfd", 0x80001)  # O_CLOEXEC | UFFD_USER_MODE_ONLY
            out["ptrace"] = in_child(lambda: call("ptrace", 0, 0, 0, 0))  # PTRACE_TRACEME
            here = ctypes.create_string_buffer(b"exxec", 8)
            there = ctypes.create_string_buffer(8)
            local = (ctypes.c_void_p * 2)(ctypes.addressof(there), 8)
            remote = (ctypes.c_void_p * 2)(ctypes.addressof(here), 8)
            out["process_vm_readv"] = call("process_vm_readv", os.getpid(), local, 1, remote, 1, 0)
            out["process_vm_writev"] = call("process_vm_writev", os.getpid(), remote, 1, local, 1, 0)
            out["bpf"] = call("bpf", 0, ctypes.create_string_buffer(72), 72)
            out["unshare_newuser"] = in_child(lambda: call("unshare", CLONE_NEWUSER))
            out["unshare_newns"] = in_child(lambda: call("unshare", CLONE_NEWNS))
            out["clone_newuser"] = fork_like("clone", CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)
            out["clone_newnet"] = fork_like("clone", CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0)
            args = bytearray(88)
            args[32:40] = SIGCHLD.to_bytes(8, "little")  # exit_signal
            out["clone3"] = fork_like("clone3", ctypes.create_string_buffer(bytes(args), 88), 88)
            out["fork"] = fork_like("clone", SIGCHLD, 0, 0, 0, 0)
            ns = os.open("/proc/self/ns/uts", os.O_RDONLY)
            out["setns"] = call("setns", ns, 0)
            out["mount"] = call("mount", b"none", b"/tmp", b"tmpfs", 0, None)
            out["chroot"] = call("chroot", b"/")
            out["personality_no_aslr"] = in_child(lambda: call("personality", 0x0040000))
            out["personality_query"] = call("personality", 0xffffffff)
            for name, family, kind in (("vsock", 40, 1), ("alg", 38, 5), ("packet", 17, 3), ("inet", 2, 1),
                                       ("unix", 1, 1), ("netlink", 16, 3)):
                out["socket_" + name] = call("socket", family, kind, 0)
            out["open_by_handle_at"] = call("open_by_handle_at", -100, ctypes.create_string_buffer(16), 0)
            out["unknown_1000"] = raw(1000)
            if os.uname().machine == "x86_64":
                out["modify_ldt"] = call("modify_ldt", 0, ctypes.create_string_buffer(16), 16)
                out["x32_getpid"] = in_child(lambda: raw(0x40000000 | NR["getpid"]))
                def int80():
                    # mov eax, 20 (i386 getpid); int 0x80; ret
                    code = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                    code.write(b"\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3")
                    address = ctypes.addressof(ctypes.c_char.from_buffer(code))
                    return "ok" if ctypes.CFUNCTYPE(ctypes.c_int)(address)() > 0 else "ENOSYS"
                out["int80_getpid"] = in_child(int80)
            print(json.dumps(out))
            """;

    /** A file, not {@code -c}: multiprocessing's spawn and forkserver children import the main module. */
    private static final String PYTHON_WORKLOAD = """
            import asyncio, json, multiprocessing, os, socket, subprocess, tempfile, threading


            def square(x):
                return x * x


            async def echo_over_loopback():
                async def echo(reader, writer):
                    writer.write(await reader.readline())
                    await writer.drain()
                    writer.close()
                server = await asyncio.start_server(echo, "127.0.0.1", 0)
                port = server.sockets[0].getsockname()[1]
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"asyncio\\n")
                line = await reader.readline()
                writer.close()
                server.close()
                await asyncio.wait_for(asyncio.sleep(0.01), 1)
                return line


            def main():
                results = []
                threads = [threading.Thread(target=lambda i=i: results.append(i * i)) for i in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert sorted(results) == [i * i for i in range(8)], results
                assert subprocess.run(["sh", "-c", "echo $((6 * 7))"], capture_output=True, text=True).stdout == "42\\n"
                for method in ("fork", "spawn", "forkserver"):
                    with multiprocessing.get_context(method).Pool(2) as pool:
                        assert pool.map(square, range(5)) == [0, 1, 4, 9, 16], method
                assert asyncio.run(echo_over_loopback()) == b"asyncio\\n"
                with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as a:
                    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as b:
                        b.bind(("::1", 0))
                        a.sendto(b"udp", b.getsockname())
                        assert b.recv(16) == b"udp"
                assert socket.if_nameindex()  # netlink
                with tempfile.NamedTemporaryFile("w+") as f:
                    f.write(json.dumps({"ok": True}))
                    f.flush()
                    os.fsync(f.fileno())
                    f.seek(0)
                    assert json.load(f) == {"ok": True}
                assert len(os.getrandom(16)) == 16
                print("python ok")


            if __name__ == "__main__":
                main()
            """;

    private static final String NODE_WORKLOAD = """
            const { Worker } = require("worker_threads");
            const { execFileSync, spawn } = require("child_process");
            const fs = require("fs");
            const http = require("http");
            const crypto = require("crypto");
            const assert = require("assert");

            assert.strictEqual(execFileSync("sh", ["-c", "echo $((6 * 7))"]).toString(), "42\\n");
            fs.writeFileSync("/tmp/node.txt", "files");
            assert.strictEqual(fs.readFileSync("/tmp/node.txt", "utf8"), "files");
            fs.promises.readFile("/tmp/node.txt", "utf8").then((text) => assert.strictEqual(text, "files"));
            assert.strictEqual(crypto.randomBytes(8).length, 8);
            const worker = new Worker("require('worker_threads').parentPort.postMessage(6 * 7)", { eval: true });
            worker.on("message", (n) => {
                assert.strictEqual(n, 42);
                const server = http.createServer((req, res) => res.end("http"));
                server.listen(0, "127.0.0.1", () => {
                    http.get({ host: "127.0.0.1", port: server.address().port }, (res) => {
                        let body = "";
                        res.on("data", (d) => (body += d));
                        res.on("end", () => {
                            assert.strictEqual(body, "http");
                            server.close();
                            const child = spawn("cat");
                            child.stdout.on("data", (d) => assert.strictEqual(d.toString(), "pipe"));
                            child.on("exit", (code) => {
                                assert.strictEqual(code, 0);
                                console.log("node ok");
                            });
                            child.stdin.end("pipe");
                        });
                    });
                });
            });
            """;

    private static final String C_PROGRAM = """
            #include <pthread.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/wait.h>
            #include <unistd.h>

            static void *work(void *arg) {
                *(int *) arg = 42;
                return NULL;
            }

            int main(void) {
                int value = 0;
                pthread_t t;
                if (pthread_create(&t, NULL, work, &value) != 0 || pthread_join(t, NULL) != 0) return 1;
                printf("thread %d\\n", value);
                fflush(stdout);
                pid_t pid = fork();
                if (pid == 0) _exit(7);
                int status;
                if (waitpid(pid, &status, 0) != pid) return 2;
                printf("child %d\\n", WEXITSTATUS(status));
                char *line = malloc(64);
                snprintf(line, 64, "c ok");
                puts(line);
                return 0;
            }
            """;

    /**
     * What the zygote's child does, in order: unshare its call's namespaces, fork their init, mount a
     * fresh /proc, /tmp and /dev/pts, remount /proc/sys read-only, bring loopback up, drop its
     * capabilities; then load the strict filter with python_zygote.py's loader and try again.
     */
    private static final String ZYGOTE_CHILD = LOAD_INSTALLER + """
            import ctypes, errno, fcntl, json, os, socket, struct, subprocess, sys, threading
            NR = json.loads(sys.argv[3])
            libc = ctypes.CDLL(None, use_errno=True)

            def call(name, *args):
                args = [ctypes.c_ulong(a & (2**64 - 1)) if isinstance(a, int) else a for a in args]
                r = libc.syscall(ctypes.c_long(NR[name]), *args)
                return "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()]

            def check(outcome, what):
                if outcome != "ok":
                    raise OSError(what + ": " + outcome)

            install = load_installer(sys.argv[1])
            with open(sys.argv[2], "rb") as f:
                strict = f.read()  # once, before any call: what the zygote is meant to do
            out = {"unshare_newuser_in_zygote": call("unshare", 0x10000000)}
            check(call("unshare", 0x00020000 | 0x20000000 | 0x08000000 | 0x02000000 | 0x40000000), "unshare")
            r, w = os.pipe()
            init = os.fork()
            if init == 0:
                os.close(r)
                MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
                    2, 4, 8, 1, 32, 4096, 16384, 1 << 18)
                check(call("mount", b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private")
                check(call("mount", b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "proc")
                check(call("mount", b"/proc/sys", b"/proc/sys", None, MS_BIND | MS_REC, None), "bind")
                check(call("mount", b"none", b"/proc/sys", None, MS_REMOUNT | MS_BIND | MS_RDONLY, None), "remount")
                check(call("mount", b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1048576,mode=1777"), "tmp")
                check(call("mount", b"devpts", b"/dev/pts", b"devpts", MS_NOSUID | MS_NOEXEC,
                           b"newinstance,ptmxmode=0666,mode=620"), "devpts")
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    ifreq = struct.pack("16sH14x", b"lo", 0)
                    flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, ifreq))[1]
                    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))
                PR_CAPBSET_DROP = 24
                for cap in range(64):
                    libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
                header = (ctypes.c_uint32 * 2)(0x20080522, 0)
                check(call("capset", header, (ctypes.c_uint32 * 6)()), "capset")
                out["setup"] = "ok"
                install(strict)
                out["mount_after"] = call("mount", b"tmpfs", b"/tmp", b"tmpfs", 0, None)
                out["unshare_after"] = call("unshare", 0x00020000)
                out["keyctl_after"] = call("keyctl", 0, -4, 0)
                out["io_uring_after"] = call("io_uring_setup", 1, ctypes.create_string_buffer(120))
                t = threading.Thread(target=lambda: None)
                t.start()
                t.join()
                ok = subprocess.run(["cat", "/proc/self/status"], capture_output=True, text=True).stdout
                out["work_after"] = "ok" if "Seccomp:\\t2" in ok and os.getpid() == 1 else ok
                os.write(w, json.dumps(out).encode())
                os._exit(0)
            os.close(w)
            data = b""
            while chunk := os.read(r, 65536):
                data += chunk
            _, status = os.waitpid(init, 0)
            print(data.decode() if data else json.dumps({"setup": "init died: %d" % status}))
            """;
}
