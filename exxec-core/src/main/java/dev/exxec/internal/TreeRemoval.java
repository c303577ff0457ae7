package dev.exxec.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deletes directory trees through {@link DirectoryHandle}s: every entry is removed by its name in
 * its open parent directory, a link is removed itself and never followed, and a directory is entered
 * only as the directory that has that name at that moment. A process that swaps a directory of the
 * tree for a link to a host directory while the deletion runs gets that link removed, nothing behind
 * it.
 *
 * <p>Directories the code made read-only are made writable through their own open handle ({@code
 * fchmod}), never through a path. A directory this JVM may not even read (mode 000, when it is not
 * root) stays behind, as it did with a path walk. The walk keeps at most {@link #MAX_DEPTH} directories
 * open: a deeper one is first moved up to the top of the tree being deleted, so that neither this
 * thread's stack nor its descriptors grow with a tree the code made deep on purpose.
 */
public final class TreeRemoval {
    /** Most directories open at once while a tree is deleted. */
    static final int MAX_DEPTH = 256;
    /** How often a directory is listed again for entries that appeared while it was emptied. */
    private static final int ROUNDS = 3;
    /** How often an entry that keeps changing its kind is looked at again. */
    private static final int ATTEMPTS = 8;

    private static final Set<PosixFilePermission> OWNER_ALL = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private TreeRemoval() {}

    /**
     * Deletes a file, link or directory tree, best effort; nothing when nothing is there. The parent
     * of {@code path} is opened by its path, so it must be a directory nobody else can replace (the
     * temporary directory, or one this JVM made); {@code path} itself is not followed when it is a link.
     *
     * @return whether nothing is left at {@code path}
     */
    public static boolean deleteTree(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        Path name = path.getFileName();
        if (parent == null || name == null) {
            throw new IllegalArgumentException("refusing to delete " + path);
        }
        try (DirectoryHandle dir = DirectoryHandle.open(parent)) {
            return remove(dir, name.toString());
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes the entry {@code name} of {@code parent}, with everything in it when it is a directory.
     *
     * @return whether nothing is left at that name
     */
    public static boolean remove(DirectoryHandle parent, String name) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<BasicFileAttributes> entry = parent.stat(name);
            if (entry.isEmpty()) {
                return true;
            }
            if (!entry.get().isDirectory()) {
                deleteFile(parent, name);
                continue;
            }
            try (DirectoryHandle dir = parent.openDirectory(name)) {
                if (dir == null) {
                    continue; // it is something else now: look again
                }
                empty(dir);
            }
            deleteDirectory(parent, name);
        }
        return parent.stat(name).isEmpty();
    }

    /** Deletes everything in a directory, leaving the directory itself. */
    public static void empty(DirectoryHandle top) throws IOException {
        Deque<Level> open = new ArrayDeque<>();
        open.push(new Level(top, "", top.names()));
        try {
            while (!open.isEmpty()) {
                Level level = open.peek();
                String name = level.pending.poll();
                if (name == null) {
                    if (level.rounds++ < ROUNDS) {
                        List<String> appeared = level.dir.names();
                        if (!appeared.isEmpty()) {
                            level.pending.addAll(appeared);
                            continue;
                        }
                    }
                    open.pop();
                    if (!open.isEmpty()) {
                        level.dir.close();
                        deleteDirectory(open.peek().dir, level.name);
                    }
                    continue;
                }
                try {
                    Optional<BasicFileAttributes> entry = level.dir.stat(name);
                    if (entry.isEmpty()) {
                        continue;
                    }
                    if (!entry.get().isDirectory()) {
                        deleteFile(level.dir, name);
                        continue;
                    }
                    if (open.size() >= MAX_DEPTH) {
                        // Move the deep part up: renameat between two open handles, so it stays in the tree.
                        String hoisted = ".exxec-deep-" + Ids.random(12);
                        level.dir.move(name, top, hoisted);
                        open.getLast().pending.add(hoisted);
                        continue;
                    }
                    DirectoryHandle child = level.dir.openDirectory(name);
                    if (child != null) {
                        try {
                            open.push(new Level(child, name, child.names()));
                        } catch (IOException e) {
                            child.close();
                            throw e;
                        }
                    }
                    // else it changed meanwhile: the next listing of this directory finds what it is now
                } catch (IOException e) {
                    // keep deleting the rest; what is left is reported by the caller's check
                }
            }
        } finally {
            while (open.size() > 1) {
                open.pop().dir.close();
            }
        }
    }

    private static void deleteFile(DirectoryHandle dir, String name) throws IOException {
        try {
            dir.deleteFile(name);
        } catch (NoSuchFileException e) {
            // gone already
        } catch (AccessDeniedException e) {
            // A directory the code made read-only: writable again through its own handle, then retry.
            dir.allowSelf(OWNER_ALL);
            dir.deleteFile(name);
        }
    }

    private static void deleteDirectory(DirectoryHandle dir, String name) throws IOException {
        try {
            dir.deleteDirectory(name);
        } catch (NoSuchFileException | DirectoryNotEmptyException e) {
            // gone already, or something appeared in it: the caller looks again
        } catch (AccessDeniedException e) {
            dir.allowSelf(OWNER_ALL);
            dir.deleteDirectory(name);
        }
    }

    /** A directory being emptied, with the names still to delete in it. */
    private static final class Level {
        final DirectoryHandle dir;
        final String name;
        final Deque<String> pending;
        int rounds;

        Level(DirectoryHandle dir, String name, List<String> names) {
            this.dir = dir;
            this.name = name;
            this.pending = new ArrayDeque<>(names);
        }
    }
}
