package dev.exxec.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.internal.Ids;
import dev.exxec.internal.Json;
import dev.exxec.internal.seccomp.SeccompArch;
import dev.exxec.internal.seccomp.SyscallTable;
import dev.exxec.spi.SyscallFilter;
import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyscallFilter#dockerProfile()} as Docker applies it ({@code docker run --security-opt
 * seccomp=FILE}, which sends the file's text as {@code HostConfig.SecurityOpt} {@code seccomp=<json>}):
 * the calls Docker's default profile lets through on this daemon (io_uring, ptrace) and the ones it
 * does not (keyctl, a user namespace) are all refused, and Python and Node.js work. The same probe
 * without a profile ({@code seccomp=unconfined}) shows the calls work when nothing refuses them.
 */
class DockerSeccompProfileTest {
    private static final String IMAGE = DockerConfig.DEFAULT_IMAGE;

    @TempDir
    static Path dir;

    private static Path profile;
    private static String numbers;

    @BeforeAll
    static void prepare() throws Exception {
        DockerTests.requireDaemonAndImage();
        Requirements.require(cli(), "the docker command is not on PATH: apt-get install docker.io");
        profile = Files.writeString(dir.resolve("seccomp.json"), SyscallFilter.STRICT.dockerProfile());
        // a local daemon: the containers run on this machine's architecture
        numbers = Json.write(SyscallTable.of(
                        SeccompArch.valueOf(SyscallFilter.nativeArchitecture().name()))
                .numbers());
    }

    private static boolean cli() {
        try {
            return run(List.of("docker", "version", "--format", "{{.Server.Version}}"))
                            .exit()
                    == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private static Result run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + argv);
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

    /** {@code command} in a fresh container of the image, with {@code seccomp} as its profile. */
    private static Result container(String seccomp, String... command) throws Exception {
        String name = Ids.next("exxec-seccomp-test");
        List<String> argv = new ArrayList<>(List.of(
                "docker", "run", "--rm", "--name", name, "--network", "none", "--security-opt", "seccomp=" + seccomp));
        argv.add(IMAGE);
        argv.addAll(List.of(command));
        try {
            return run(argv);
        } finally {
            run(List.of("docker", "rm", "-f", name));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> probe(String seccomp) throws Exception {
        Result r = container(seccomp, "python3", "-c", PROBE, numbers);
        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().strip().split("\n");
        return (Map<String, Object>) Json.parse(lines[lines.length - 1]);
    }

    @Test
    void theProfileRefusesWhatDockersDefaultLetsThroughAndMore() throws Exception {
        Map<String, Object> open = probe("unconfined");
        assertThat(open)
                .as("without a profile, the calls work in the container")
                .containsEntry("keyctl", "ok")
                .containsEntry("io_uring_setup", "ok")
                .containsEntry("ptrace", "ok")
                .containsEntry("unshare_newuser", "ok");

        Map<String, Object> filtered = probe(profile.toString());
        assertThat(filtered)
                .containsEntry("keyctl", "EPERM")
                .containsEntry("add_key", "EPERM")
                .containsEntry("io_uring_setup", "EPERM")
                .containsEntry("ptrace", "EPERM")
                .containsEntry("process_vm_readv", "EPERM")
                .containsEntry("unshare_newuser", "EPERM")
                .containsEntry("clone_newuser", "EPERM")
                .containsEntry("chroot", "EPERM")
                .containsEntry("socket_vsock", "EPERM")
                .containsEntry("personality_no_aslr", "EPERM")
                .containsEntry("clone3", "ENOSYS")
                .containsEntry("work", "ok");
        if (SyscallFilter.nativeArchitecture() == SyscallFilter.Architecture.X86_64) {
            // libseccomp kills a call of an architecture the profile does not list, as exxec's BPF does
            assertThat(filtered).containsEntry("int80_getpid", "killed 31").containsEntry("x32_getpid", "killed 31");
        }
    }

    @Test
    void nodeRunsUnderTheProfile() throws Exception {
        Result r = container(profile.toString(), "node", "-e", NODE);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("node ok");
    }

    /** Each probe's outcome: {@code ok} or the errno's name; the ones that would change the probe run in a child. */
    private static final String PROBE = """
            import asyncio, ctypes, errno, json, mmap, os, subprocess, sys, threading
            NR = json.loads(sys.argv[1])
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long

            def call(name, *args):
                args = [ctypes.c_ulong(a & (2**64 - 1)) if isinstance(a, int) else a for a in args]
                r = libc.syscall(ctypes.c_long(NR[name]), *args)
                if r == 0 and name in ("clone", "clone3"):
                    os._exit(0)  # the child of a clone that worked
                return "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()]

            def in_child(attempt):
                pid = os.fork()
                if pid == 0:
                    outcome = attempt()
                    os._exit(0 if outcome == "ok" else getattr(errno, outcome, 120))
                _, status = os.waitpid(pid, 0)
                if os.WIFSIGNALED(status):
                    return "killed %d" % os.WTERMSIG(status)
                code = os.WEXITSTATUS(status)
                return "ok" if code == 0 else errno.errorcode.get(code, str(code))

            out = {}
            out["keyctl"] = call("keyctl", 0, -4, 0)
            out["add_key"] = call("add_key", b"user", b"exxec-probe", b"secret", 6, -2)
            out["io_uring_setup"] = call("io_uring_setup", 1, ctypes.create_string_buffer(120))
            out["ptrace"] = in_child(lambda: call("ptrace", 0, 0, 0, 0))
            here, there = ctypes.create_string_buffer(b"exxec", 8), ctypes.create_string_buffer(8)
            local = (ctypes.c_void_p * 2)(ctypes.addressof(there), 8)
            remote = (ctypes.c_void_p * 2)(ctypes.addressof(here), 8)
            out["process_vm_readv"] = call("process_vm_readv", os.getpid(), local, 1, remote, 1, 0)
            out["unshare_newuser"] = in_child(lambda: call("unshare", 0x10000000))
            out["clone_newuser"] = in_child(lambda: call("clone", 0x10000000 | 17, 0, 0, 0, 0))
            args = bytearray(88)
            args[32:40] = (17).to_bytes(8, "little")
            out["clone3"] = in_child(lambda: call("clone3", ctypes.create_string_buffer(bytes(args), 88), 88))
            out["chroot"] = call("chroot", b"/")
            out["socket_vsock"] = call("socket", 40, 1, 0)
            out["personality_no_aslr"] = in_child(lambda: call("personality", 0x0040000))
            if os.uname().machine == "x86_64":
                def int80():
                    # mov eax, 20 (i386 getpid); int 0x80; ret
                    code = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                    code.write(b"\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3")
                    address = ctypes.addressof(ctypes.c_char.from_buffer(code))
                    return "ok" if ctypes.CFUNCTYPE(ctypes.c_int)(address)() > 0 else "ENOSYS"
                out["int80_getpid"] = in_child(int80)
                out["x32_getpid"] = in_child(lambda: "ok" if libc.syscall(0x40000000 | NR["getpid"]) > 0 else "ENOSYS")

            async def loopback():
                server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
                reader, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
                writer.close()
                server.close()
                return True
            t = threading.Thread(target=lambda: None)
            t.start()
            t.join()
            echoed = subprocess.run(["sh", "-c", "echo $((6 * 7))"], capture_output=True, text=True).stdout
            out["work"] = "ok" if echoed == "42\\n" and asyncio.run(loopback()) else "broken"
            print(json.dumps(out))
            """;

    private static final String NODE = """
            const { Worker } = require("worker_threads");
            const { execFileSync } = require("child_process");
            const fs = require("fs");
            fs.writeFileSync("/tmp/node.txt", execFileSync("sh", ["-c", "echo $((6 * 7))"]));
            new Worker("require('worker_threads').parentPort.postMessage(1)", { eval: true }).on("message", () => {
                if (fs.readFileSync("/tmp/node.txt", "utf8") === "42\\n") console.log("node ok");
            });
            """;
}
