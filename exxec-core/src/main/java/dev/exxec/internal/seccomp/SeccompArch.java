package dev.exxec.internal.seccomp;

/**
 * An architecture the filter is compiled for: how the kernel names it in {@code seccomp_data.arch},
 * its system call table, and how Docker (libseccomp) names it.
 *
 * @param auditArch {@code AUDIT_ARCH_*}: the machine and its ABI (64-bit, little-endian); a call made
 *     through any other ABI carries another value and is killed
 * @param table the resource {@code dev/exxec/seccomp/TABLE.syscalls}
 * @param x32 whether calls of the x32 ABI arrive with this {@code auditArch} and bit 30 set in the
 *     number (x86_64 only): the filter must tell them apart itself
 * @param docker libseccomp's name of the architecture
 */
public enum SeccompArch {
    X86_64(0xC000003E, "x86_64", true, "SCMP_ARCH_X86_64"),
    AARCH64(0xC00000B7, "aarch64", false, "SCMP_ARCH_AARCH64");

    private final int auditArch;
    private final String table;
    private final boolean x32;
    private final String docker;

    SeccompArch(int auditArch, String table, boolean x32, String docker) {
        this.auditArch = auditArch;
        this.table = table;
        this.x32 = x32;
        this.docker = docker;
    }

    public int auditArch() {
        return auditArch;
    }

    public String table() {
        return table;
    }

    public boolean x32() {
        return x32;
    }

    public String docker() {
        return docker;
    }
}
