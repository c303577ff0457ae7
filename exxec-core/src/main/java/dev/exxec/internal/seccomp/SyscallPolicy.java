package dev.exxec.internal.seccomp;

import dev.exxec.internal.seccomp.Rule.AllowIf;
import dev.exxec.internal.seccomp.Rule.ArgumentCondition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which system calls untrusted code may make: an allowlist, written once, from which the classic BPF
 * program ({@link BpfCompiler}) and Docker's JSON profile ({@link DockerProfile}) are made.
 *
 * <p>It is Docker's default profile (moby {@code profiles/seccomp/default.json}) for a container that
 * holds no capability, less what exxec refuses on top: {@code io_uring}, {@code ptrace} and reading or
 * writing other processes' memory, {@code chroot}, {@code modify_ldt}, and every socket family but
 * Unix, IPv4, IPv6 and netlink. What Docker grants only with a capability is refused, since nothing in
 * a sandbox holds one. A system call the policy does not name is refused with {@code EPERM}, or with
 * {@code ENOSYS} when the architecture's table does not know it, so that a program tries the older
 * call it falls back to.
 *
 * @param groups the rules, each name in one group only
 */
public record SyscallPolicy(List<SyscallGroup> groups) {
    /** {@code CLONE_NEWNS}, {@code NEWCGROUP}, {@code NEWUTS}, {@code NEWIPC}, {@code NEWUSER}, {@code NEWPID}, {@code NEWNET}. */
    public static final long NEW_NAMESPACES =
            0x00020000L | 0x02000000L | 0x04000000L | 0x08000000L | 0x10000000L | 0x20000000L | 0x40000000L;

    /**
     * {@code CLONE_PARENT}: the new process becomes its caller's sibling, a child of the caller's
     * parent. A call's first process is a child of something outside the call (Docker's exec, the
     * sandbox's init): its sibling is outside the call's process tree, so a call's killer that follows
     * the tree, its session and its orphans does not find it (the docker review made one that outlived
     * its deadline and read every later call's variables). glibc, Go and Rust never use it.
     */
    public static final long CLONE_PARENT = 0x00008000L;

    /** What the zygote's children unshare: mount, PID, IPC, cgroup and network namespaces; never a user namespace. */
    public static final long ZYGOTE_NAMESPACES = 0x00020000L | 0x20000000L | 0x08000000L | 0x02000000L | 0x40000000L;

    /** {@code AF_UNIX}, {@code AF_INET}, {@code AF_INET6}, {@code AF_NETLINK}. */
    public static final List<Long> SOCKET_FAMILIES = List.of(1L, 2L, 10L, 16L);

    /**
     * Personalities Docker allows: {@code PER_LINUX}, {@code PER_LINUX32}, {@code UNAME26},
     * {@code UNAME26|PER_LINUX32}, and {@code 0xffffffff}, which only asks for the current one.
     */
    public static final List<Long> PERSONALITIES = List.of(0L, 8L, 0x20000L, 0x20008L, 0xffffffffL);

    /**
     * System calls the policy names that are newer than the headers the tables were made from
     * (Linux 6.1): Docker's profile names them, so ours does too; the compiled filter answers them
     * {@code ENOSYS} until scripts/syscall-tables.sh runs on newer headers.
     */
    public static final Set<String> NEWER_THAN_TABLES = Set.of(
            "cachestat",
            "fchmodat2",
            "map_shadow_stack",
            "futex_wake",
            "futex_wait",
            "futex_requeue",
            "statmount",
            "listmount",
            "lsm_get_self_attr",
            "lsm_set_self_attr",
            "lsm_list_modules",
            "mseal",
            "setxattrat",
            "getxattrat",
            "listxattrat",
            "removexattrat",
            "open_tree_attr",
            "uretprobe");

    /** The policy for untrusted code: sandboxed calls, Docker containers, the zygote's children. */
    public static final SyscallPolicy STRICT = new SyscallPolicy(List.of(
            SyscallGroup.allow(
                    "Processes: start programs, wait for them, signal them. Their reach ends at the sandbox's"
                            + " PID namespace (the container's), so they name nothing outside it.",
                    """
                    fork vfork execve execveat exit exit_group wait4 waitid kill tkill tgkill getpid getppid
                    gettid getpgid getpgrp setpgid getsid setsid pidfd_open pidfd_send_signal process_mrelease
                    """),
            new SyscallGroup(
                    "clone makes threads and processes (glibc's fork, pthread_create and posix_spawn use it),"
                            + " but never new namespaces: the sandbox's shape is exxec's, and a new user"
                            + " namespace is where most namespace exploits start; and never a sibling of the"
                            + " caller (CLONE_PARENT), which leaves the call's process tree. Flags are checked"
                            + " in the low 32 bits, the only ones clone reads.",
                    new AllowIf(List.of(ArgumentCondition.noneOf(0, NEW_NAMESPACES | CLONE_PARENT))),
                    List.of("clone")),
            new SyscallGroup(
                    "clone3 takes its flags in memory, where a filter cannot read them: ENOSYS, which glibc,"
                            + " Go and Rust take as the cue to use clone, whose flags are checked.",
                    new Rule.Refuse(Rule.ENOSYS),
                    List.of("clone3")),
            SyscallGroup.allow(
                    "Threads and locks: futexes, robust lists, thread-local storage (arch_prctl and the thread"
                            + " areas on x86_64), restartable sequences, memory barriers.",
                    """
                    futex futex_waitv futex_wake futex_wait futex_requeue set_robust_list get_robust_list
                    set_tid_address rseq membarrier arch_prctl set_thread_area get_thread_area sched_yield
                    """),
            SyscallGroup.allow(
                    "The process's own memory: mappings, protection keys, locking (bounded by"
                            + " RLIMIT_MEMLOCK), anonymous and secret memory files, sealing.",
                    """
                    brk mmap munmap mprotect mremap madvise mincore msync mlock mlock2 munlock mlockall
                    munlockall remap_file_pages memfd_create memfd_secret pkey_alloc pkey_free pkey_mprotect
                    map_shadow_stack mseal
                    """),
            SyscallGroup.allow(
                    "Signals, and the returns the kernel itself arranges (from a signal handler, a restarted"
                            + " call, a uretprobe).",
                    """
                    rt_sigaction rt_sigprocmask rt_sigreturn rt_sigsuspend rt_sigpending rt_sigtimedwait
                    rt_sigqueueinfo rt_tgsigqueueinfo sigaltstack signalfd signalfd4 pause alarm
                    restart_syscall uretprobe
                    """),
            SyscallGroup.allow(
                    "Clocks, sleeps and timers. adjtimex and clock_adjtime read the clock's state; changing it"
                            + " needs CAP_SYS_TIME, which nothing in a sandbox holds.",
                    """
                    clock_gettime clock_getres clock_nanosleep nanosleep gettimeofday time times getitimer
                    setitimer timer_create timer_delete timer_getoverrun timer_gettime timer_settime
                    timerfd_create timerfd_gettime timerfd_settime adjtimex clock_adjtime
                    """),
            SyscallGroup.allow(
                    "Reading and writing open files, pipes and sockets; the mount namespace decides which files"
                            + " there are.",
                    """
                    read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 lseek sendfile
                    splice tee vmsplice copy_file_range fsync fdatasync sync syncfs sync_file_range fallocate
                    truncate ftruncate fadvise64 readahead cachestat flock fcntl dup dup2 dup3 close
                    close_range
                    """),
            SyscallGroup.allow(
                    "File names and metadata: open, stat, directories, links, modes, owners, times, extended"
                            + " attributes, device nodes (the kernel makes a device node only for"
                            + " CAP_MKNOD in the first user namespace), file handles (name_to_handle_at only"
                            + " names a file; opening one by its handle is refused).",
                    """
                    open openat openat2 creat stat fstat lstat newfstatat statx statfs fstatfs access
                    faccessat faccessat2 getdents getdents64 getcwd chdir fchdir mkdir mkdirat rmdir rename
                    renameat renameat2 link linkat unlink unlinkat symlink symlinkat readlink readlinkat chmod
                    fchmod fchmodat fchmodat2 chown fchown fchownat lchown umask utime utimes utimensat
                    futimesat mknod mknodat name_to_handle_at getxattr lgetxattr fgetxattr setxattr lsetxattr
                    fsetxattr listxattr llistxattr flistxattr removexattr lremovexattr fremovexattr getxattrat
                    setxattrat listxattrat removexattrat
                    """),
            SyscallGroup.allow(
                    "What is mounted in the process's own mount namespace: what /proc/self/mountinfo shows.",
                    "statmount listmount"),
            SyscallGroup.allow(
                    "Device and terminal control of open files (the sandbox has no controlling terminal"
                            + " of the host's, and its /dev no console), and watching files.",
                    "ioctl inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark"),
            SyscallGroup.allow(
                    "Waiting for many files at once: select, poll, epoll, event and signal descriptors, pipes.", """
                    select pselect6 poll ppoll epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_wait
                    epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2 pipe pipe2
                    """),
            SyscallGroup.allow(
                    "Linux's older asynchronous I/O (libaio, used by databases); unlike io_uring, every"
                            + " operation is one filtered system call.",
                    "io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents"),
            new SyscallGroup(
                    "socket for Unix, IPv4, IPv6 and netlink (interfaces and addresses: getaddrinfo,"
                            + " getifaddrs) only. Docker allows every family but AF_ALG and AF_VSOCK, with an"
                            + " ordering an int argument's high bits can slip; exxec names the four families"
                            + " programs use, so rarely used protocols (whose modules the kernel would load on"
                            + " first use: the classic way to a kernel bug), vsock (the VM's host) and raw"
                            + " packets stay out.",
                    new AllowIf(SOCKET_FAMILIES.stream()
                            .map(family -> ArgumentCondition.equal(0, family))
                            .toList()),
                    List.of("socket")),
            SyscallGroup.allow(
                    "Sockets once made: connect, listen, send, receive, options. The network namespace decides"
                            + " where they reach.",
                    """
                    socketpair bind listen accept accept4 connect getsockname getpeername getsockopt
                    setsockopt sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg shutdown
                    """),
            SyscallGroup.allow(
                    "User and group ids and capabilities: the kernel checks every change against what the"
                            + " process holds, which in a sandbox is nothing.",
                    """
                    getuid geteuid getgid getegid getresuid getresgid getgroups setuid setgid setreuid
                    setregid setresuid setresgid setgroups setfsuid setfsgid capget capset
                    """),
            SyscallGroup.allow("System V and POSIX IPC, private to the sandbox's IPC namespace.", """
                    shmget shmat shmdt shmctl semget semop semtimedop semctl msgget msgsnd msgrcv msgctl
                    mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr
                    """),
            SyscallGroup.allow(
                    "Scheduling, priorities and resource limits of the process and its own; raising a priority"
                            + " or a hard limit needs a capability the sandbox lacks.",
                    """
                    sched_getaffinity sched_setaffinity sched_getparam sched_setparam sched_getscheduler
                    sched_setscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval
                    sched_getattr sched_setattr getpriority setpriority ioprio_get ioprio_set getrlimit
                    setrlimit prlimit64 getrusage
                    """),
            SyscallGroup.allow(
                    "What the machine is and randomness: uname, sysinfo, getcpu, getrandom; prctl (the"
                            + " process's own settings: name, no_new_privs, dropping capabilities).",
                    "uname sysinfo getcpu getrandom prctl"),
            SyscallGroup.allow(
                    "Restricting oneself further: a filter of one's own (stacked: the strictest answer wins),"
                            + " Landlock.",
                    "seccomp landlock_create_ruleset landlock_add_rule landlock_restrict_self"),
            new SyscallGroup(
                    "personality only with the values Docker allows (Linux, 32-bit Linux, the 2.6 uname, or"
                            + " asking): other flags would, among others, turn address space randomisation off"
                            + " (ADDR_NO_RANDOMIZE) or map page zero (MMAP_PAGE_ZERO).",
                    new AllowIf(PERSONALITIES.stream()
                            .map(p -> ArgumentCondition.equal(0, p))
                            .toList()),
                    List.of("personality")),
            SyscallGroup.refuse(
                    "Kernel keyrings are not namespaced: keyctl linked the host user's keyring and read a key"
                            + " the host had added (issue 13).",
                    "keyctl add_key request_key"),
            SyscallGroup.refuse(
                    "io_uring is a second way into the kernel that seccomp does not see (its operations are"
                            + " not system calls) and the source of a large share of recent kernel exploits;"
                            + " programs fall back to ordinary calls when it is refused. Docker 20.10 allows it.",
                    "io_uring_setup io_uring_enter io_uring_register"),
            SyscallGroup.refuse(
                    "Looking into or steering other processes: in a sandbox those include exxec's own helpers"
                            + " (a zygote's init, the driver). Docker allows ptrace and process_vm_* on"
                            + " kernels from 4.8; exxec refuses them, as it refuses what Docker grants only with"
                            + " CAP_SYS_PTRACE.",
                    "ptrace process_vm_readv process_vm_writev process_madvise kcmp pidfd_getfd"),
            SyscallGroup.refuse(
                    "Namespaces, mounts and the root directory: the sandbox's shape is exxec's. chroot too,"
                            + " which Docker allows (its containers hold CAP_SYS_CHROOT).",
                    """
                    unshare setns mount umount2 pivot_root chroot mount_setattr move_mount open_tree
                    open_tree_attr fsopen fsconfig fsmount fspick
                    """),
            SyscallGroup.refuse(
                    "Programs and probes run by the kernel, and page faults handled in user space"
                            + " (userfaultfd stalls the kernel mid-copy, a staple of race exploits).",
                    "bpf perf_event_open userfaultfd lookup_dcookie fanotify_init"),
            SyscallGroup.refuse(
                    "open_by_handle_at opens any file of a mounted file system by its handle, past the"
                            + " mount namespace (the \"shocker\" container escape).",
                    "open_by_handle_at"),
            SyscallGroup.refuse(
                    "The machine's own state: kernel modules, kexec, reboot, swap, accounting, the clock,"
                            + " host and domain names, the kernel log, terminals' hang-up, quotas, I/O ports,"
                            + " security labels.",
                    """
                    init_module finit_module delete_module kexec_load kexec_file_load reboot swapon swapoff
                    acct settimeofday clock_settime sethostname setdomainname syslog vhangup quotactl
                    quotactl_fd iopl ioperm lsm_get_self_attr lsm_set_self_attr lsm_list_modules
                    """),
            SyscallGroup.refuse(
                    "NUMA memory placement, which Docker grants only with CAP_SYS_NICE.",
                    "mbind set_mempolicy get_mempolicy migrate_pages move_pages set_mempolicy_home_node"),
            SyscallGroup.refuse(
                    "modify_ldt: segment descriptors for Wine and DOS emulators, never used by the programs"
                            + " exxec runs, with a history of kernel bugs. Docker allows it.",
                    "modify_ldt")));

    /**
     * The policy of the sandbox's zygote, which makes each call's namespaces before it runs the call:
     * {@link #STRICT} plus {@code unshare} of mount, PID, IPC, cgroup and network namespaces and
     * {@code mount}. Each child installs {@link #STRICT} on itself before it runs a call, so the call
     * runs under both filters, where the stricter answer wins.
     */
    public static final SyscallPolicy ZYGOTE = STRICT.with(
            new SyscallGroup(
                    "The zygote's child unshares its call's mount, PID, IPC, cgroup and network namespaces"
                            + " (never a user namespace), before it installs the strict filter.",
                    new AllowIf(List.of(ArgumentCondition.noneOf(0, ~ZYGOTE_NAMESPACES))),
                    List.of("unshare")),
            SyscallGroup.allow(
                    "The zygote's child mounts its call's /proc, /tmp and /dev/pts and remounts binds"
                            + " read-only, before it installs the strict filter.",
                    "mount"));

    public SyscallPolicy {
        groups = List.copyOf(groups);
        rules(groups);
    }

    /** Every named system call's rule. */
    public Map<String, Rule> rules() {
        return rules(groups);
    }

    /** The rule for {@code syscall}, if the policy names it. */
    public Optional<Rule> rule(String syscall) {
        return Optional.ofNullable(rules().get(syscall));
    }

    /** This policy with {@code changes}, which take the place of whatever rule their names had. */
    public SyscallPolicy with(SyscallGroup... changes) {
        List<String> changed = new ArrayList<>();
        for (SyscallGroup g : changes) {
            changed.addAll(g.names());
        }
        List<SyscallGroup> out = new ArrayList<>();
        for (SyscallGroup g : groups) {
            List<String> kept =
                    g.names().stream().filter(n -> !changed.contains(n)).toList();
            if (!kept.isEmpty()) {
                out.add(new SyscallGroup(g.reason(), g.rule(), kept));
            }
        }
        out.addAll(List.of(changes));
        return new SyscallPolicy(out);
    }

    private static Map<String, Rule> rules(List<SyscallGroup> groups) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (SyscallGroup g : groups) {
            for (String name : g.names()) {
                if (rules.put(name, g.rule()) != null) {
                    throw new IllegalArgumentException(name + " is in two groups");
                }
            }
        }
        return Collections.unmodifiableMap(rules);
    }
}
