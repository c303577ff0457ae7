package dev.exxec.internal.seccomp;

import java.util.List;

/**
 * System calls the policy answers alike, for one reason.
 *
 * @param reason why, in a sentence or two: it becomes the {@code comment} of Docker's profile and the
 *     documentation's text
 * @param rule the answer
 * @param names the system calls, by their kernel names (as libseccomp spells them)
 */
public record SyscallGroup(String reason, Rule rule, List<String> names) {
    public SyscallGroup {
        names = List.copyOf(names);
        if (names.isEmpty() || reason.isBlank()) {
            throw new IllegalArgumentException("a group needs names and a reason");
        }
    }

    static SyscallGroup allow(String reason, String names) {
        return new SyscallGroup(reason, new Rule.Allow(), split(names));
    }

    static SyscallGroup refuse(String reason, String names) {
        return new SyscallGroup(reason, new Rule.Refuse(Rule.EPERM), split(names));
    }

    private static List<String> split(String names) {
        return List.of(names.strip().split("\\s+"));
    }
}
