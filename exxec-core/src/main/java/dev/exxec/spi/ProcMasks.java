package dev.exxec.spi;

import java.util.List;

/**
 * What of {@code /proc} (and {@code /sys}) code in an isolated environment must not see or change, for
 * every provider that shows it a {@code /proc} of the host's kernel: the {@code sandbox} masks these
 * itself, {@code docker} asks the runtime to (its {@code MaskedPaths} and {@code ReadonlyPaths}).
 * Container runtimes mask a similar set; see docs/security.md for why each is here.
 */
public final class ProcMasks {
    /**
     * Directories that change the kernel when written: read-only. ({@code core_pattern} below {@code
     * /proc/sys} runs a program as root when a process crashes.)
     */
    public static final List<String> READ_ONLY = List.of("/proc/sys", "/proc/irq", "/proc/bus", "/proc/fs");

    /**
     * Files that show the kernel's state or reach into it, and that no program here needs: covered by an
     * empty read-only file where the kernel has them. The keyrings ({@code keys}, {@code key-users}: key
     * names and owners, the host's too), the kernel's memory and symbols ({@code kcore}, {@code
     * kallsyms}, {@code kpage*}), its log ({@code kmsg}), its timers and scheduler ({@code timer_list},
     * {@code timer_stats}, {@code sched_debug}, {@code latency_stats}: other processes' activity, the
     * host's too) and the magic SysRq key ({@code sysrq-trigger}).
     */
    public static final List<String> MASKED_FILES = List.of(
            "/proc/keys",
            "/proc/key-users",
            "/proc/kcore",
            "/proc/kallsyms",
            "/proc/kmsg",
            "/proc/kpagecount",
            "/proc/kpageflags",
            "/proc/kpagecgroup",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/latency_stats",
            "/proc/sysrq-trigger");

    /** Directories about the host's hardware: covered by an empty read-only directory. */
    public static final List<String> MASKED_DIRECTORIES =
            List.of("/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    private ProcMasks() {}
}
