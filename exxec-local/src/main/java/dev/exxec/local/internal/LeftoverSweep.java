package dev.exxec.local.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes temporary directories (and per-call cgroups) that environments of a JVM that no longer runs
 * left behind.
 * A JVM killed with SIGKILL never runs its shutdown hook; the next JVM that uses the local provider
 * cleans up after it. Directory names carry the owning JVM's pid for this.
 */
public final class LeftoverSweep {
    private static final Pattern NAME = Pattern.compile("exxec-(?:local|drivers)-(\\d+)-.+");
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private LeftoverSweep() {}

    /** The prefix of this JVM's temporary directories of kind {@code local} or {@code drivers}. */
    public static String prefix(String kind) {
        return "exxec-" + kind + "-" + ProcessHandle.current().pid() + "-";
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
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp, "exxec-*")) {
            for (Path entry : entries) {
                Matcher m = NAME.matcher(entry.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long owner = Long.parseLong(m.group(1));
                if (owner != self
                        && ProcessHandle.of(owner).map(p -> !p.isAlive()).orElse(true)) {
                    Interpreters.deleteTree(entry);
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a directory we cannot read is one we could not clean either
        }
        return removed;
    }
}
