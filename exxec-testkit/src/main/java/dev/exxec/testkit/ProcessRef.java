package dev.exxec.testkit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A process as the code that started it saw it: its PID namespace and its number there.
 *
 * <p>Code in a sandbox may live in its own PID namespace, where its numbers (2, 3, 4...) name other
 * processes on the host. So the kit's programs print each process they report as {@code
 * <namespace>:<pid>}, the namespace being the target of {@code /proc/self/ns/pid} as the printing
 * process read it (for example {@code pid:[4026532712]:7}), or the bare pid where that link cannot be
 * read; {@link #parse(String)} reads both, and {@link HostProbe#isAlive(ProcessRef)} finds the
 * process.
 *
 * @param pidNamespace the PID namespace, as {@code readlink /proc/self/ns/pid} shows it; null when
 *     unknown, which means the namespace of the {@link HostProbe} that looks
 * @param pid the process id in that namespace
 */
public record ProcessRef(@Nullable String pidNamespace, long pid) {

    /** Checks the values. */
    public ProcessRef {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        if (pidNamespace != null
                && (pidNamespace.isBlank() || pidNamespace.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("pidNamespace must be null or a word: '" + pidNamespace + "'");
        }
    }

    /** A process in the probe's own PID namespace: an id a host-side API returned, for example. */
    public static ProcessRef of(long pid) {
        return new ProcessRef(null, pid);
    }

    /**
     * Reads {@code <namespace>:<pid>} or a bare {@code <pid>}; an empty namespace ({@code :<pid>}, what
     * a shell prints when it could not read the link) counts as unknown.
     *
     * @throws IllegalArgumentException when the text is neither
     */
    public static ProcessRef parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        String namespace = colon < 0 ? "" : text.substring(0, colon);
        String number = text.substring(colon + 1);
        if (number.isEmpty() || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a process reference: '" + text + "'");
        }
        long pid;
        try {
            pid = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a process reference: '" + text + "'", e);
        }
        return new ProcessRef(namespace.isEmpty() ? null : namespace, pid);
    }

    /** {@code <namespace>:<pid>}, or the bare pid when the namespace is unknown: what {@link #parse} reads. */
    @Override
    public String toString() {
        return pidNamespace == null ? Long.toString(pid) : pidNamespace + ":" + pid;
    }
}
