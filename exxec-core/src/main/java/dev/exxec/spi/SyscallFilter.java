package dev.exxec.spi;

import dev.exxec.ProviderUnavailableException;
import dev.exxec.internal.seccomp.BpfCompiler;
import dev.exxec.internal.seccomp.DockerProfile;
import dev.exxec.internal.seccomp.SeccompArch;
import dev.exxec.internal.seccomp.SyscallPolicy;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seccomp filter exxec puts between untrusted code and the kernel, one policy in the forms the
 * providers need: a classic BPF program for bubblewrap ({@code bwrap --seccomp FD}) and for a process
 * that installs it on itself ({@code prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)}), and a
 * Docker profile ({@code HostConfig.SecurityOpt} {@code seccomp=<json>}).
 *
 * <p>The policy is Docker's default profile for a container without capabilities, less {@code
 * io_uring}, {@code ptrace} and {@code process_vm_*}, {@code chroot}, {@code modify_ldt} and socket
 * families other than Unix, IPv4, IPv6 and netlink; namespaces ({@code clone} with a namespace flag,
 * {@code unshare}, {@code setns}), mounts, keyrings, BPF, perf and {@code userfaultfd} are refused as
 * Docker refuses them. A refused call returns {@code EPERM}; {@code clone3} and calls the filter does
 * not know return {@code ENOSYS}, so programs fall back to what they can check. docs/seccomp.md lists
 * every group with its reason.
 *
 * <p>Thread-safe; programs are compiled once per filter and architecture, on first use.
 *
 * {@snippet :
 * byte[] program = SyscallFilter.STRICT.bpf(); // throws ProviderUnavailableException off x86_64/aarch64
 * Files.write(dir.resolve("seccomp.bpf"), program);
 * // sh -c 'exec bwrap --seccomp 9 ... 9<"$dir/seccomp.bpf"'
 * String profile = SyscallFilter.STRICT.dockerProfile(); // "seccomp=" + profile in SecurityOpt
 * }
 */
public enum SyscallFilter {
    /** For untrusted code: every sandboxed call, every Docker container, every child of the zygote. */
    STRICT(SyscallPolicy.STRICT),
    /**
     * For the sandbox's zygote: {@link #STRICT} plus {@code unshare} of mount, PID, IPC, cgroup and
     * network namespaces (never a user namespace) and {@code mount}, which each child needs to make its
     * call's namespaces. The child then installs {@link #STRICT} on itself (filters stack; the stricter
     * answer wins) before it runs the call.
     */
    ZYGOTE(SyscallPolicy.ZYGOTE);

    /** An architecture the filter is compiled for: the kernel's and the interpreters' (64-bit, little-endian). */
    public enum Architecture {
        X86_64(SeccompArch.X86_64),
        AARCH64(SeccompArch.AARCH64);

        private final SeccompArch arch;

        Architecture(SeccompArch arch) {
            this.arch = arch;
        }
    }

    private final SyscallPolicy policy;
    private final Map<Architecture, byte[]> programs = new ConcurrentHashMap<>();

    SyscallFilter(SyscallPolicy policy) {
        this.policy = policy;
    }

    /**
     * The architecture this JVM runs on, which is the sandboxed processes' too.
     *
     * @throws ProviderUnavailableException on any other than x86_64 and aarch64: a sandbox must refuse to
     *     start rather than run without a filter
     */
    public static Architecture nativeArchitecture() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> Architecture.X86_64;
            case "aarch64", "arm64" -> Architecture.AARCH64;
            default ->
                throw new ProviderUnavailableException("exxec's seccomp filter exists for x86_64 and aarch64"
                        + " only, and this machine is '" + arch + "': the sandbox does not run code without one."
                        + " Run exxec on x86_64 or aarch64 (a 64-bit JVM), or use the docker provider there");
        };
    }

    /**
     * The compiled program for this machine: {@code struct sock_filter[]}, 8 bytes an instruction, in
     * the machine's (little-endian) byte order; what {@code bwrap --seccomp FD} reads from its
     * descriptor, and what {@code struct sock_fprog} points to. A fresh array each call.
     *
     * @throws ProviderUnavailableException when {@link #nativeArchitecture()} does
     */
    public byte[] bpf() {
        return bpf(nativeArchitecture());
    }

    /** The compiled program for {@code architecture}; see {@link #bpf()}. */
    public byte[] bpf(Architecture architecture) {
        return programs.computeIfAbsent(architecture, a -> BpfCompiler.compile(policy, a.arch))
                .clone();
    }

    /**
     * The policy as a Docker seccomp profile, for both architectures: JSON text for {@code
     * HostConfig.SecurityOpt} {@code seccomp=<json>} (or a file for {@code docker run --security-opt
     * seccomp=FILE}).
     */
    public String dockerProfile() {
        return DockerProfile.render(policy);
    }
}
