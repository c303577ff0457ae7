package dev.exxec.testkit;

import dev.exxec.spi.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/** {@link HostProbe#localHost()}. */
final class LocalHostProbe implements HostProbe {
    static final LocalHostProbe INSTANCE = new LocalHostProbe();

    private static final Path PROC = Path.of("/proc");

    private LocalHostProbe() {}

    @Override
    public boolean isAlive(long pid) {
        if (!hasProc()) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        // ProcessHandle counts zombies as alive, and where PID 1 does not reap orphans (some
        // containers) a killed grandchild stays a zombie forever: read the state instead.
        return ProcessTree.Stat.of(pid) != null;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A process of another namespace is found by scanning {@code /proc/*}{@code /ns/pid} for the
     * processes in that namespace and reading their number there, the last of the {@code NSpid:} line
     * of their {@code status}. Processes this user may not inspect (another user's) are not seen.
     *
     * @throws UnsupportedOperationException when there is no {@code /proc} to look in, or the kernel
     *     does not tell a process's number in its namespace
     */
    @Override
    public boolean isAlive(ProcessRef process) {
        String namespace = process.pidNamespace();
        if (namespace == null) {
            return isAlive(process.pid());
        }
        if (!hasProc()) {
            throw new UnsupportedOperationException("no /proc here to find " + process + " in its PID namespace");
        }
        String own = namespaceOf(PROC.resolve("self"));
        if (own == null) {
            throw new UnsupportedOperationException(
                    "cannot read /proc/self/ns/pid, so cannot tell whether " + process + " is in this PID namespace");
        }
        if (own.equals(namespace)) {
            return isAlive(process.pid());
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, LocalHostProbe::isProcess)) {
            for (Path entry : entries) {
                if (!namespace.equals(namespaceOf(entry))) {
                    continue;
                }
                OptionalLong inner = innermostPid(entry);
                if (inner.isPresent() && inner.getAsLong() == process.pid()) {
                    // One number names one process in a namespace: its state is the answer.
                    return isAlive(Long.parseLong(entry.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UnsupportedOperationException("cannot list /proc to find " + process, e);
        }
        // Nothing of the namespace has that number, or the namespace died with its init.
        return false;
    }

    private static boolean hasProc() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    private static boolean isProcess(Path entry) {
        String name = entry.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The target of {@code <dir>/ns/pid}, or null when it cannot be read (ended, or not ours to see). */
    private static @Nullable String namespaceOf(Path dir) {
        try {
            return Files.readSymbolicLink(dir.resolve("ns").resolve("pid")).toString();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * The process's number in its own PID namespace: the last of its {@code NSpid:} line; empty when
     * it has ended meanwhile.
     *
     * @throws UnsupportedOperationException when the kernel has no {@code NSpid:} line (before 4.1)
     */
    private static OptionalLong innermostPid(Path dir) {
        String status;
        try {
            status = Files.readString(dir.resolve("status"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("NSpid:")) {
                String[] numbers = line.substring("NSpid:".length()).trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(numbers[numbers.length - 1]));
            }
        }
        throw new UnsupportedOperationException(
                dir.resolve("status") + " has no NSpid line: this kernel does not tell pids in namespaces");
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public String toString() {
        return "HostProbe.localHost()";
    }
}
