package dev.exxec.local.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes temporary directories (and per-call cgroups) that environments of a JVM that no longer runs
 * left behind, and ends the calls that JVM recorded as running ({@link CallLedger}).
 * A JVM killed with SIGKILL never runs its shutdown hook; the next JVM that uses the local provider
 * cleans up after it. Each directory holds an owner file naming its JVM by pid and start time (a pid
 * alone is reused); its name is random. The name says nothing about this JVM on purpose: a sandbox
 * binds directories below it, and the kernel shows each bind's source directory in the sandbox's
 * {@code /proc/self/mountinfo}.
 */
public final class LeftoverSweep {
    /** The names of older versions, which carried the pid: still swept. */
    private static final Pattern OLD_NAME = Pattern.compile("exxec-(?:local|drivers)-(\\d+)-.+");
    /** The file in each directory that names its owner: "PID START_MILLIS". */
    static final String OWNER = ".exxec-owner";

    private static final AtomicBoolean DONE = new AtomicBoolean();

    private LeftoverSweep() {}

    /**
     * A new directory {@code exxec-RANDOM} in the temporary directory, owned by this JVM (swept when
     * it is gone); its owner file is readable by this JVM's user only.
     */
    public static Path create(FileAttribute<?>... attributes) throws IOException {
        Path dir = Files.createTempDirectory("exxec-", attributes);
        Files.writeString(
                Files.createFile(
                        dir.resolve(OWNER),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                ProcessHandle.current().pid() + " " + startMillis(ProcessHandle.current()));
        return dir;
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    /** Whether the JVM an owner file names still runs: the same pid, started at the same time. */
    private static boolean alive(long pid, long start) {
        return ProcessHandle.of(pid)
                .map(p -> p.isAlive() && (start == 0 || Math.abs(startMillis(p) - start) < 1000))
                .orElse(false);
    }

    /** Sweeps once per JVM, in the background. */
    public static void once() {
        if (DONE.compareAndSet(false, true)) {
            Thread.ofVirtual().name("exxec-leftover-sweep").start(() -> {
                sweep(Path.of(System.getProperty("java.io.tmpdir")));
                // A JVM that ends soon after a call (or the retry of a removal) leaves its
                // emptied cgroups: a sandbox's zygote and its spare each hold some too.
                Cgroups.detect().sweep();
            });
        }
    }

    /** Removes the directories in {@code tmp} whose owning JVM is gone; returns how many. */
    public static int sweep(Path tmp) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp, "exxec-*")) {
            for (Path entry : entries) {
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (gone(entry)) {
                    // Its calls first, while their leaders may still run (see CallLedger).
                    CallLedger.endRecorded(entry);
                    dev.exxec.internal.TreeRemoval.deleteTree(entry);
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a directory we cannot read is one we could not clean either
        }
        return removed;
    }

    /**
     * Whether {@code dir} belongs to a JVM that is gone. A directory without an owner file is left
     * alone (one being made right now, a kept workspace, someone else's), but for the names of older
     * versions, which carry the pid.
     */
    private static boolean gone(Path dir) {
        Path owner = dir.resolve(OWNER);
        if (Files.isRegularFile(owner, LinkOption.NOFOLLOW_LINKS)) {
            try {
                String[] f = Files.readString(owner).trim().split(" ");
                long pid = Long.parseLong(f[0]);
                return pid != ProcessHandle.current().pid() && !alive(pid, f.length > 1 ? Long.parseLong(f[1]) : 0);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        Matcher m = OLD_NAME.matcher(dir.getFileName().toString());
        if (!m.matches()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid()
                && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
}
