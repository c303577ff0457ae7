package dev.exxec.internal.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.ProviderUnavailableException;
import dev.exxec.internal.Json;
import dev.exxec.spi.SyscallFilter;
import dev.exxec.spi.SyscallFilter.Architecture;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The compiled programs, run by {@link BpfInterpreter}: every verdict the policy promises, on both
 * architectures, for both filters. The kernel's own opinion is asked in {@code SyscallFilterKernelTest}.
 */
class SyscallFilterTest {
    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final int AUDIT_ARCH_ARM = 0x40000028;
    private static final int ALLOW = Bpf.RET_ALLOW;
    private static final int EPERM = Bpf.RET_ERRNO | 1;
    private static final int ENOSYS = Bpf.RET_ERRNO | 38;
    private static final int KILL = Bpf.RET_KILL_PROCESS;

    // clone flags
    private static final long SIGCHLD = 17;
    private static final long FORK = 0x01200000L | SIGCHLD; // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID
    private static final long THREAD = 0x003d0f00L; // glibc's pthread_create
    private static final long VFORK = 0x00004100L | SIGCHLD; // CLONE_VM | CLONE_VFORK
    private static final long[] NAMESPACES = {
        0x00020000L, 0x02000000L, 0x04000000L, 0x08000000L, 0x10000000L, 0x20000000L, 0x40000000L
    };
    private static final long CLONE_NEWUSER = 0x10000000L;
    private static final long CLONE_NEWUTS = 0x04000000L;

    /** Refused by name, whatever else the policy says: the findings of issue 13 and Docker's refusals. */
    private static final List<String> MUST_REFUSE = List.of(
            "keyctl",
            "add_key",
            "request_key",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "unshare",
            "setns",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "open_by_handle_at",
            "reboot",
            "swapon",
            "swapoff",
            "settimeofday",
            "clock_settime",
            "sethostname",
            "setdomainname",
            "syslog",
            "acct",
            "quotactl",
            "iopl",
            "ioperm",
            "fsopen",
            "fsmount",
            "move_mount",
            "open_tree",
            "mount_setattr",
            "kcmp",
            "pidfd_getfd",
            "modify_ldt",
            "mbind",
            "set_mempolicy");

    /** Allowed by name: what the interpreters and compilers exxec runs need. */
    private static final List<String> MUST_ALLOW = List.of(
            "read",
            "write",
            "openat",
            "close",
            "mmap",
            "munmap",
            "mprotect",
            "brk",
            "futex",
            "rt_sigaction",
            "rt_sigprocmask",
            "rt_sigreturn",
            "execve",
            "exit_group",
            "wait4",
            "epoll_pwait",
            "epoll_ctl",
            "pipe2",
            "getrandom",
            "set_robust_list",
            "rseq",
            "prlimit64",
            "newfstatat",
            "statx",
            "getdents64",
            "ioctl",
            "bind",
            "connect",
            "sendto",
            "recvfrom",
            "socketpair",
            "prctl",
            "seccomp",
            "capset",
            "kill",
            "setsid");

    /**
     * What Docker's default profile allows a container without added capabilities on x86_64 and aarch64
     * (moby's profiles/seccomp/default.json at moby b985e23, August 2026), conditionally or not: exxec
     * allows nothing outside it.
     */
    private static final Set<String> DOCKER_ALLOWS = Set.of("""
            _llseek _newselect accept accept4 access adjtimex alarm arch_prctl arm_fadvise64_64
            arm_sync_file_range bind breakpoint brk cacheflush cachestat capget capset chdir chmod chown
            chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime
            clock_gettime64 clock_nanosleep clock_nanosleep_time64 clone close close_range connect
            copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
            epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
            exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod
            fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock
            fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate
            ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv futex_wake futimesat
            get_robust_list get_thread_area getcpu getcwd getdents getdents64 getegid getegid32 geteuid
            geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid
            getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit getrusage
            getsid getsockname getsockopt gettid gettimeofday getuid getuid32 getxattr getxattrat
            inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents
            io_pgetevents io_pgetevents_time64 io_setup io_submit ioctl ioprio_get ioprio_set ipc kill
            landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link
            linkat listen listmount listxattr listxattrat llistxattr lremovexattr lseek lsetxattr lstat
            lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir mkdirat
            mknod mknodat mlock mlock2 mlockall mmap mmap2 modify_ldt mprotect mq_getsetattr mq_notify
            mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap
            mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep
            newfstatat open openat openat2 pause personality pidfd_open pidfd_send_signal pipe pipe2
            pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2
            prlimit64 process_mrelease process_vm_readv process_vm_writev pselect6 pselect6_time64 ptrace
            pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg
            recvmmsg_time64 recvmsg remap_file_pages removexattr removexattrat rename renameat renameat2
            restart_syscall riscv_hwprobe rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
            rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
            rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr
            sched_getparam sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
            sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select
            semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg
            sendto set_robust_list set_thread_area set_tid_address set_tls setfsgid setfsgid32 setfsuid
            setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid
            setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit setsid
            setsockopt setuid setuid32 setxattr setxattrat shmat shmctl shmdt shmget shutdown sigaltstack
            signalfd signalfd4 sigprocmask sigreturn socket socketcall socketpair splice stat stat64 statfs
            statfs64 statmount statx symlink symlinkat sync sync_file_range sync_file_range2 syncfs sysinfo
            tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64
            timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
            timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat
            uretprobe utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write
            writev
            """.strip().split("\\s+"));

    private static BpfInterpreter program(SyscallFilter filter, Architecture arch) {
        return new BpfInterpreter(filter.bpf(arch));
    }

    private static SeccompArch seccompArch(Architecture arch) {
        return SeccompArch.valueOf(arch.name());
    }

    private static int nr(Architecture arch, String name) {
        return SyscallTable.of(seccompArch(arch))
                .number(name)
                .orElseThrow(() -> new AssertionError(name + " is not in the " + arch + " table"));
    }

    private static int verdict(SyscallFilter filter, Architecture arch, String name, long... args) {
        return program(filter, arch)
                .run(seccompArch(arch).auditArch(), nr(arch, name), args)
                .verdict();
    }

    private static boolean has(Architecture arch, String name) {
        return SyscallTable.of(seccompArch(arch)).number(name).isPresent();
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyCallThePolicyAllowsIsAllowed(Architecture arch) {
        for (var e : SyscallPolicy.STRICT.rules().entrySet()) {
            if (e.getValue() instanceof Rule.Allow && has(arch, e.getKey())) {
                assertThat(verdict(SyscallFilter.STRICT, arch, e.getKey()))
                        .as(e.getKey())
                        .isEqualTo(ALLOW);
            }
        }
        for (String name : MUST_ALLOW) {
            assertThat(verdict(SyscallFilter.STRICT, arch, name)).as(name).isEqualTo(ALLOW);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyRefusedCallIsRefusedWithEperm(Architecture arch) {
        for (String name : MUST_REFUSE) {
            assertThat(SyscallPolicy.STRICT.rule(name)).as(name).contains(new Rule.Refuse(Rule.EPERM));
            if (has(arch, name)) {
                assertThat(verdict(SyscallFilter.STRICT, arch, name)).as(name).isEqualTo(EPERM);
            }
        }
        for (var e : SyscallPolicy.STRICT.rules().entrySet()) {
            if (e.getValue() instanceof Rule.Refuse r && has(arch, e.getKey())) {
                assertThat(verdict(SyscallFilter.STRICT, arch, e.getKey()))
                        .as(e.getKey())
                        .isEqualTo(Bpf.RET_ERRNO | r.errno());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void callsThePolicyDoesNotNameAreRefused(Architecture arch) {
        SyscallTable table = SyscallTable.of(seccompArch(arch));
        BpfInterpreter program = program(SyscallFilter.STRICT, arch);
        int known = 0;
        for (var e : table.numbers().entrySet()) {
            if (SyscallPolicy.STRICT.rule(e.getKey()).isEmpty()) {
                known++;
                assertThat(program.run(seccompArch(arch).auditArch(), e.getValue())
                                .verdict())
                        .as(e.getKey())
                        .isEqualTo(EPERM);
            }
        }
        assertThat(known).as("obsolete and privileged calls no group names").isPositive();
        if (arch == Architecture.X86_64) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "uselib")).isEqualTo(EPERM);
            assertThat(verdict(SyscallFilter.STRICT, arch, "_sysctl")).isEqualTo(EPERM);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void numbersTheTableDoesNotKnowAreAnsweredEnosys(Architecture arch) {
        SyscallTable table = SyscallTable.of(seccompArch(arch));
        int audit = seccompArch(arch).auditArch();
        BpfInterpreter program = program(SyscallFilter.STRICT, arch);
        int last = table.byNumber().lastKey();
        for (int nr : new int[] {last + 1, last + 2, 1000, 0xfffff, 0x3fffffff}) {
            assertThat(program.run(audit, nr).verdict()).as("%d", nr).isEqualTo(ENOSYS);
        }
        for (int nr = 0; nr <= last; nr++) {
            if (!table.byNumber().containsKey(nr)) {
                assertThat(program.run(audit, nr).verdict()).as("gap %d", nr).isEqualTo(ENOSYS);
            }
        }
        // -1 is how a tracer skips a call; the kernel answers ENOSYS
        assertThat(program.run(audit, -1).verdict()).isEqualTo(ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void cloneMakesThreadsAndProcessesButNoNamespace(Architecture arch) {
        for (long flags : new long[] {FORK, THREAD, VFORK, SIGCHLD, 0}) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "clone", flags))
                    .as("%x", flags)
                    .isEqualTo(ALLOW);
        }
        for (long ns : NAMESPACES) {
            for (long flags : new long[] {ns, ns | FORK, ns | THREAD, ns | 0xffffffff00000000L}) {
                assertThat(verdict(SyscallFilter.STRICT, arch, "clone", flags))
                        .as("%x", flags)
                        .isEqualTo(EPERM);
            }
        }
        // A sibling of the caller (CLONE_PARENT, with a fork's or a thread's flags) leaves the call's tree.
        for (long flags : new long[] {0x8000L | 17, 0x8000L | FORK, 0x8000L | THREAD}) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "clone", flags))
                    .as("%x", flags)
                    .isEqualTo(EPERM);
        }
        // clone reads only the low 32 bits: high bits neither help nor harm
        assertThat(verdict(SyscallFilter.STRICT, arch, "clone", FORK | 0x100000000L))
                .isEqualTo(ALLOW);
        assertThat(verdict(SyscallFilter.STRICT, arch, "clone3", 0, 88)).isEqualTo(ENOSYS);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void socketOnlyForUnixInternetAndNetlink(Architecture arch) {
        for (long family : new long[] {1, 2, 10, 16}) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "socket", family, 1, 0))
                    .as("family %d", family)
                    .isEqualTo(ALLOW);
            // the kernel reads an int: high bits would make another value of the same family
            assertThat(verdict(SyscallFilter.STRICT, arch, "socket", family | 0x100000000L, 1, 0))
                    .isEqualTo(EPERM);
        }
        // AF_PACKET, AF_BLUETOOTH, AF_ALG, AF_VSOCK, AF_KCM, AF_XDP, AF_MCTP, AF_UNSPEC, -1
        for (long family : new long[] {17, 31, 38, 40, 41, 44, 45, 0, 0xffffffffL, 0x100000028L}) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "socket", family, 1, 0))
                    .as("family %d", family)
                    .isEqualTo(EPERM);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void personalityOnlyWithDockersValues(Architecture arch) {
        for (long persona : new long[] {0, 8, 0x20000, 0x20008, 0xffffffffL}) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "personality", persona))
                    .as("%x", persona)
                    .isEqualTo(ALLOW);
        }
        // ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, PER_BSD, -1 as 64 bits
        for (long persona : new long[] {0x0040000, 0x0400000, 0x0100000, 6, -1L}) {
            assertThat(verdict(SyscallFilter.STRICT, arch, "personality", persona))
                    .as("%x", persona)
                    .isEqualTo(EPERM);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void callsOfAnotherAbiKillTheProcess(Architecture arch) {
        BpfInterpreter program = program(SyscallFilter.STRICT, arch);
        Architecture other = arch == Architecture.X86_64 ? Architecture.AARCH64 : Architecture.X86_64;
        int getpid = nr(arch, "getpid");
        for (int foreign :
                new int[] {AUDIT_ARCH_I386, AUDIT_ARCH_ARM, seccompArch(other).auditArch(), 0, -1}) {
            assertThat(program.run(foreign, getpid).verdict())
                    .as("arch %x", foreign)
                    .isEqualTo(KILL);
            assertThat(program.run(foreign, 0).verdict()).as("arch %x", foreign).isEqualTo(KILL);
        }
        if (arch == Architecture.X86_64) {
            int audit = seccompArch(arch).auditArch();
            // x32: bit 30 set, same arch value
            assertThat(program.run(audit, 0x40000000 | getpid).verdict()).isEqualTo(KILL);
            assertThat(program.run(audit, 0x40000000 | nr(arch, "keyctl")).verdict())
                    .isEqualTo(KILL);
            assertThat(program.run(audit, 0x40000000).verdict()).isEqualTo(KILL);
            assertThat(program.run(audit, 0x80000000).verdict()).isEqualTo(KILL);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theZygoteMayMakeItsChildrensNamespacesAndNothingMore(Architecture arch) {
        long zygote = SyscallPolicy.ZYGOTE_NAMESPACES;
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", zygote)).isEqualTo(ALLOW);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", zygote & ~0x40000000L))
                .isEqualTo(ALLOW);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", 0)).isEqualTo(ALLOW);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", CLONE_NEWUSER))
                .isEqualTo(EPERM);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", zygote | CLONE_NEWUSER))
                .isEqualTo(EPERM);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", zygote | CLONE_NEWUTS))
                .isEqualTo(EPERM);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "unshare", zygote | 0x100000000L))
                .isEqualTo(EPERM);
        assertThat(verdict(SyscallFilter.ZYGOTE, arch, "mount", 0, 0, 0, 0x1000))
                .isEqualTo(ALLOW);
        assertThat(verdict(SyscallFilter.STRICT, arch, "unshare", zygote)).isEqualTo(EPERM);
        assertThat(verdict(SyscallFilter.STRICT, arch, "mount")).isEqualTo(EPERM);

        // Everything else as STRICT, clone with namespaces included: the zygote forks, then unshares.
        BpfInterpreter strict = program(SyscallFilter.STRICT, arch);
        BpfInterpreter zygoteProgram = program(SyscallFilter.ZYGOTE, arch);
        int audit = seccompArch(arch).auditArch();
        int unshare = nr(arch, "unshare");
        int mount = nr(arch, "mount");
        for (int nr = 0; nr < 1000; nr++) {
            if (nr == unshare || nr == mount) {
                continue;
            }
            for (long arg : new long[] {0, 2, 40, CLONE_NEWUSER, FORK | CLONE_NEWUSER, 0x0040000}) {
                assertThat(zygoteProgram.run(audit, nr, arg).verdict())
                        .as("%d(%x)", nr, arg)
                        .isEqualTo(strict.run(audit, nr, arg).verdict());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theProgramIsSmallAndEveryCallIsDecidedInAFewSteps(Architecture arch) {
        for (SyscallFilter filter : SyscallFilter.values()) {
            BpfInterpreter program = program(filter, arch); // checks every jump lands inside
            assertThat(program.length()).as("instructions").isLessThan(200);
            int audit = seccompArch(arch).auditArch();
            int worst = 0;
            for (int nr = 0; nr < 1000; nr++) {
                worst = Math.max(worst, program.run(audit, nr, 0x7fffffffL).steps());
            }
            // arch check, load, x32 check, 6 or 7 levels of tree, personality's five values (19 today)
            assertThat(worst).as("most instructions to decide a call").isLessThanOrEqualTo(22);
        }
    }

    @Test
    void everyNameIsARealSystemCallAndDockerAllowsEverythingExxecAllows() {
        Set<String> known = new TreeSet<>();
        for (SeccompArch arch : SeccompArch.values()) {
            known.addAll(SyscallTable.of(arch).numbers().keySet());
        }
        for (SyscallPolicy policy : List.of(SyscallPolicy.STRICT, SyscallPolicy.ZYGOTE)) {
            for (var e : policy.rules().entrySet()) {
                assertThat(known.contains(e.getKey()) || SyscallPolicy.NEWER_THAN_TABLES.contains(e.getKey()))
                        .as("%s is a system call of x86_64 or aarch64", e.getKey())
                        .isTrue();
            }
        }
        // once the tables know a newer call, it leaves NEWER_THAN_TABLES
        assertThat(SyscallPolicy.NEWER_THAN_TABLES).doesNotContainAnyElementsOf(known);

        List<String> beyondDocker = new ArrayList<>();
        for (var e : SyscallPolicy.STRICT.rules().entrySet()) {
            if (!(e.getValue() instanceof Rule.Refuse) && !DOCKER_ALLOWS.contains(e.getKey())) {
                beyondDocker.add(e.getKey());
            }
        }
        assertThat(beyondDocker).as("allowed by exxec, refused by Docker").isEmpty();
    }

    /**
     * libseccomp's reading of a Docker profile: the rules naming the call whose conditions all hold
     * (each on all 64 bits) give their action, none the default.
     */
    @SuppressWarnings("unchecked")
    private static int dockerVerdict(Map<String, Object> profile, String name, long[] args) {
        for (Map<String, Object> rule : (List<Map<String, Object>>) profile.get("syscalls")) {
            if (!((List<String>) rule.get("names")).contains(name)) {
                continue;
            }
            boolean holds = true;
            for (Map<String, Object> c : (List<Map<String, Object>>) rule.getOrDefault("args", List.of())) {
                long arg = args[((Number) c.get("index")).intValue()];
                long value = new BigInteger(c.get("value").toString()).longValue();
                holds &= switch ((String) c.get("op")) {
                    case "SCMP_CMP_EQ" -> arg == value;
                    case "SCMP_CMP_MASKED_EQ" ->
                        (arg & value) == new BigInteger(c.get("valueTwo").toString()).longValue();
                    default -> throw new AssertionError("exxec's profile uses only equality: " + c);
                };
            }
            if (holds) {
                return switch ((String) rule.get("action")) {
                    case "SCMP_ACT_ALLOW" -> ALLOW;
                    case "SCMP_ACT_ERRNO" -> Bpf.RET_ERRNO | ((Number) rule.get("errnoRet")).intValue();
                    default -> throw new AssertionError("unexpected action in " + rule);
                };
            }
        }
        assertThat(profile.get("defaultAction")).isEqualTo("SCMP_ACT_ERRNO");
        return Bpf.RET_ERRNO | ((Number) profile.get("defaultErrnoRet")).intValue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDockerProfileSaysWhatTheProgramSays() {
        List<long[]> samples = new ArrayList<>();
        for (long a0 : new long[] {
            0,
            1,
            2,
            8,
            10,
            16,
            17,
            38,
            40,
            0x20000,
            0x20008,
            0xffffffffL,
            -1L,
            0x0040000,
            0x100000002L,
            FORK,
            THREAD,
            VFORK,
            FORK | CLONE_NEWUSER,
            CLONE_NEWUTS,
            SyscallPolicy.ZYGOTE_NAMESPACES,
            SyscallPolicy.ZYGOTE_NAMESPACES | CLONE_NEWUSER
        }) {
            samples.add(new long[] {a0, 0, 0, 0, 0, 0});
        }
        for (SyscallFilter filter : SyscallFilter.values()) {
            Map<String, Object> profile = (Map<String, Object>) Json.parse(filter.dockerProfile());
            assertThat((List<String>) profile.get("architectures"))
                    .containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64");
            for (Architecture arch : Architecture.values()) {
                BpfInterpreter program = program(filter, arch);
                int audit = seccompArch(arch).auditArch();
                for (var e : SyscallTable.of(seccompArch(arch)).numbers().entrySet()) {
                    for (long[] args : samples) {
                        assertThat(dockerVerdict(profile, e.getKey(), args))
                                .as("%s %s %s(%x)", filter, arch, e.getKey(), args[0])
                                .isEqualTo(
                                        program.run(audit, e.getValue(), args).verdict());
                    }
                }
            }
        }
        // the calls newer than the tables: allowed by name in the profile, as Docker does
        Map<String, Object> strict = (Map<String, Object>) Json.parse(SyscallFilter.STRICT.dockerProfile());
        assertThat(dockerVerdict(strict, "fchmodat2", new long[6])).isEqualTo(ALLOW);
        assertThat(dockerVerdict(strict, "lsm_set_self_attr", new long[6])).isEqualTo(EPERM);
    }

    @Test
    void tablesHoldTheKernelsNumbers() {
        Map<String, Integer> x86 = SyscallTable.of(SeccompArch.X86_64).numbers();
        assertThat(x86)
                .containsEntry("read", 0)
                .containsEntry("clone", 56)
                .containsEntry("fork", 57)
                .containsEntry("execve", 59)
                .containsEntry("ptrace", 101)
                .containsEntry("personality", 135)
                .containsEntry("keyctl", 250)
                .containsEntry("io_uring_setup", 425)
                .containsEntry("clone3", 435);
        Map<String, Integer> arm = SyscallTable.of(SeccompArch.AARCH64).numbers();
        assertThat(arm)
                .containsEntry("io_setup", 0)
                .containsEntry("openat", 56)
                .containsEntry("unshare", 97)
                .containsEntry("ptrace", 117)
                .containsEntry("socket", 198)
                .containsEntry("keyctl", 219)
                .containsEntry("clone", 220)
                .containsEntry("execve", 221)
                .containsEntry("io_uring_setup", 425)
                .containsEntry("clone3", 435)
                .doesNotContainKeys("open", "fork", "stat", "arch_prctl");
    }

    @Test
    void nativeArchitectureIsThisMachinesOrRefuses() {
        String arch = System.getProperty("os.arch");
        try {
            Architecture a = SyscallFilter.nativeArchitecture();
            assertThat(arch).isIn(a == Architecture.X86_64 ? List.of("amd64", "x86_64") : List.of("aarch64", "arm64"));
            assertThat(SyscallFilter.STRICT.bpf()).isEqualTo(SyscallFilter.STRICT.bpf(a));
        } finally {
            System.setProperty("os.arch", arch);
        }
        System.setProperty("os.arch", "riscv64");
        try {
            assertThatThrownBy(SyscallFilter::nativeArchitecture)
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("riscv64")
                    .hasMessageContaining("x86_64 and aarch64");
            assertThatThrownBy(SyscallFilter.STRICT::bpf).isInstanceOf(ProviderUnavailableException.class);
        } finally {
            System.setProperty("os.arch", arch);
        }
    }

    @Test
    void programsAreCopies() {
        byte[] first = SyscallFilter.STRICT.bpf(Architecture.X86_64);
        first[0] = 0x7f;
        assertThat(SyscallFilter.STRICT.bpf(Architecture.X86_64)[0]).isEqualTo((byte) Bpf.LD_W_ABS);
    }
}
