package dev.exxec.internal.seccomp;

import java.util.List;

/**
 * What the policy answers one system call. A system call the policy does not name is refused with
 * {@code EPERM} when the architecture's table knows it, and with {@code ENOSYS} when it does not.
 */
public sealed interface Rule {
    /** {@code EPERM}: what a refused system call returns, as under Docker's default profile. */
    int EPERM = 1;
    /** {@code ENOSYS}: "this kernel has no such call", which programs take as a cue to fall back. */
    int ENOSYS = 38;

    /** Always allowed. */
    record Allow() implements Rule {}

    /**
     * Allowed when at least one condition holds on the call's arguments, otherwise refused with
     * {@code EPERM}. Each condition is one libseccomp rule in Docker's profile (rules of one system
     * call are alternatives there too).
     */
    record AllowIf(List<ArgumentCondition> anyOf) implements Rule {
        public AllowIf {
            anyOf = List.copyOf(anyOf);
            if (anyOf.isEmpty()) {
                throw new IllegalArgumentException("a conditional rule needs a condition");
            }
        }
    }

    /** Always refused, with {@code errno}. */
    record Refuse(int errno) implements Rule {
        public Refuse {
            if (errno <= 0 || errno > 4095) {
                throw new IllegalArgumentException("not an errno: " + errno);
            }
        }
    }

    /**
     * {@code (args[index] & mask) == value}, on all 64 bits of the argument, as libseccomp's
     * {@code SCMP_CMP_MASKED_EQ} (and {@code SCMP_CMP_EQ} when the mask is all ones). Only equality is
     * offered: an ordering on an argument the kernel reads as a 32-bit {@code int} can be passed with
     * high bits that the comparison sees and the kernel ignores; an equality cannot.
     *
     * @param index the argument, 0 to 5
     * @param mask the bits compared; not zero
     * @param value what they must be; no bit outside the mask
     */
    record ArgumentCondition(int index, long mask, long value) {
        public ArgumentCondition {
            if (index < 0 || index > 5) {
                throw new IllegalArgumentException("system calls have arguments 0 to 5, not " + index);
            }
            if (mask == 0 || (value & ~mask) != 0) {
                throw new IllegalArgumentException("value " + Long.toHexString(value)
                        + " cannot equal the bits of mask " + Long.toHexString(mask));
            }
        }

        /** {@code args[index] == value}. */
        public static ArgumentCondition equal(int index, long value) {
            return new ArgumentCondition(index, -1L, value);
        }

        /** None of the bits of {@code mask} set in {@code args[index]}. */
        public static ArgumentCondition noneOf(int index, long mask) {
            return new ArgumentCondition(index, mask, 0);
        }
    }
}
