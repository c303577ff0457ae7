package dev.exxec.spi;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import dev.exxec.WorkspaceFiles;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Files of an environment whose workspace is a directory on this machine, relative paths against
 * the workspace.
 *
 * <p>Unconfined ({@code local}): the host's file system; absolute paths reach the whole host, as the
 * code itself can. Confined ({@code sandbox}, {@code graalvm}): paths are as the code sees them and
 * only the workspace is reachable; a path that leads outside it, also through a symbolic link the
 * code made, is refused with {@code OUTSIDE_WORKSPACE}, so that this JVM never reads or writes a host
 * file for the code.
 */
public final class HostWorkspaceFiles implements WorkspaceFiles {
    private final Runnable ensureOpen;
    private final String whose;
    private final Path hostWorkspace;
    private final String visibleWorkspace;
    private final boolean confined;

    /**
     * @param ensureOpen throws when the environment is closed
     * @param hostWorkspace the workspace on this machine
     * @param visibleWorkspace the workspace's path as the code sees it
     * @param confined whether only the workspace is reachable
     * @param whose what the refusal of an outside path calls the environment ("a sandbox's")
     */
    public HostWorkspaceFiles(
            Runnable ensureOpen, Path hostWorkspace, String visibleWorkspace, boolean confined, String whose) {
        this.ensureOpen = ensureOpen;
        this.whose = whose;
        this.hostWorkspace = hostWorkspace;
        this.visibleWorkspace = visibleWorkspace;
        this.confined = confined;
    }

    /** The host path for a path as the code sees it, following a final symbolic link. */
    private Path resolve(String path) {
        return resolve(path, true);
    }

    /**
     * The host path for a path as the code sees it; confined, checked to stay in the workspace.
     *
     * @param followLast whether the operation follows a final symbolic link (reading and writing do;
     *     stat, delete and move act on the link itself)
     */
    private Path resolve(String path, boolean followLast) {
        ensureOpen.run();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        Path visible = Path.of(visibleWorkspace).resolve(path).normalize();
        Path root = Path.of(visibleWorkspace);
        if (!visible.startsWith(root)) {
            if (!confined) {
                return visible;
            }
            throw outside(path, visible.toString());
        }
        Path host = hostWorkspace.resolve(root.relativize(visible).toString());
        if (confined) {
            checkInside(path, followLast || host.equals(hostWorkspace) ? host : host.getParent());
        }
        return host;
    }

    /**
     * Refuses a path whose existing part resolves, through symbolic links, outside the workspace. The
     * last component may be a link too: it is followed by reads and writes, so it is checked as well.
     */
    private void checkInside(String given, Path host) {
        try {
            Path workspaceReal = hostWorkspace.toRealPath();
            Path existing = host;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                throw outside(given, given);
            }
            Path real = Files.exists(existing)
                    ? existing.toRealPath()
                    : existing.getParent().toRealPath();
            if (!real.startsWith(workspaceReal)) {
                throw outside(given, toVisible(real, workspaceReal));
            }
        } catch (IOException e) {
            throw failure("resolve", given, host, e);
        }
    }

    private String toVisible(Path real, Path workspaceReal) {
        return real.startsWith(workspaceReal)
                ? Path.of(visibleWorkspace)
                        .resolve(workspaceReal.relativize(real).toString())
                        .toString()
                : "a place outside the workspace";
    }

    private FileOperationException outside(String given, String where) {
        return new FileOperationException(
                Reason.OUTSIDE_WORKSPACE,
                given,
                given + " leads to " + where + ", outside the workspace " + visibleWorkspace + ": " + whose
                        + " files are reachable only inside it");
    }

    /** A host path of the workspace as the code sees it. */
    private String visible(Path host) {
        if (!confined || !host.startsWith(hostWorkspace)) {
            return host.toString();
        }
        return Path.of(visibleWorkspace)
                .resolve(hostWorkspace.relativize(host).toString())
                .toString();
    }

    @Override
    public String workspace() {
        ensureOpen.run();
        return visibleWorkspace;
    }

    @Override
    public byte[] read(String path) {
        Path p = resolve(path);
        try {
            if (Files.isDirectory(p)) {
                throw new FileOperationException(
                        Reason.IS_A_DIRECTORY, path, "cannot read " + visible(p) + ": it is a directory");
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw failure("read", path, p, e);
        }
    }

    @Override
    public void write(String path, byte[] content) {
        Path p = resolve(path);
        try {
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileOperationException(
                        Reason.IS_A_DIRECTORY, path, "cannot write " + visible(p) + ": it is a directory");
            }
            Files.write(p, content);
        } catch (IOException e) {
            throw failure("write", path, p, e);
        }
    }

    @Override
    public List<FileEntry> list(String path) {
        Path p = resolve(path);
        try (Stream<Path> children = Files.list(p)) {
            List<FileEntry> entries = new ArrayList<>();
            for (Path child : children.toList()) {
                try {
                    entries.add(entry(child));
                } catch (NoSuchFileException gone) {
                    // removed between listing and reading: not an entry any more
                }
            }
            entries.sort(Comparator.comparing(FileEntry::name));
            return entries;
        } catch (IOException e) {
            throw failure("list", path, p, e);
        }
    }

    @Override
    public FileEntry stat(String path) {
        Path p = resolve(path, false);
        try {
            return entry(p);
        } catch (IOException e) {
            throw failure("stat", path, p, e);
        }
    }

    private FileEntry entry(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        FileEntry.Type type = a.isSymbolicLink()
                ? FileEntry.Type.SYMLINK
                : a.isDirectory()
                        ? FileEntry.Type.DIRECTORY
                        : a.isRegularFile() ? FileEntry.Type.FILE : FileEntry.Type.OTHER;
        Path name = p.getFileName();
        return new FileEntry(
                visible(p),
                name == null ? "/" : name.toString(),
                type,
                a.size(),
                a.lastModifiedTime().toInstant());
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(resolve(path, false), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void mkdir(String path) {
        Path p = resolve(path);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw failure("create directory", path, p, e);
        }
    }

    @Override
    public void move(String from, String to) {
        Path source = resolve(from, false);
        Path target = resolve(to, false);
        try {
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failure("move " + visible(source) + " to", to, target, e);
        }
    }

    @Override
    public void delete(String path) {
        Path p = resolve(path, false);
        if (p.equals(hostWorkspace)) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED, path, "the workspace itself cannot be deleted; delete what is in it");
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileOperationException(
                    Reason.NOT_FOUND, path, "cannot delete " + visible(p) + ": no such file or directory");
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(p);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileOperationException(
                        Reason.PERMISSION_DENIED, path, "could not delete all of " + visible(p));
            }
            return;
        }
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw failure("delete", path, p, e);
        }
    }

    private FileOperationException failure(String operation, String given, Path resolvedHost, IOException e) {
        String resolved = visible(resolvedHost);
        Reason reason = switch (e) {
            case NoSuchFileException x -> Reason.NOT_FOUND;
            case FileAlreadyExistsException x -> Reason.ALREADY_EXISTS;
            case NotDirectoryException x -> Reason.NOT_A_DIRECTORY;
            case DirectoryNotEmptyException x -> Reason.DIRECTORY_NOT_EMPTY;
            case AccessDeniedException x -> Reason.PERMISSION_DENIED;
            default ->
                e.getMessage() != null && e.getMessage().contains("Is a directory")
                        ? Reason.IS_A_DIRECTORY
                        : e.getMessage() != null && e.getMessage().contains("Not a directory")
                                ? Reason.NOT_A_DIRECTORY
                                : Reason.IO;
        };
        String detail = switch (reason) {
            case NOT_FOUND -> "no such file or directory";
            case ALREADY_EXISTS -> "it already exists";
            case NOT_A_DIRECTORY -> "not a directory";
            case DIRECTORY_NOT_EMPTY -> "directory not empty";
            case PERMISSION_DENIED -> "permission denied";
            default -> String.valueOf(e.getMessage());
        };
        return new FileOperationException(reason, given, "cannot " + operation + " " + resolved + ": " + detail, e);
    }

    /** Deletes a tree, making read-only directories the code made writable first. */
    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .forEach(p -> p.toFile().setWritable(true, true));
        } catch (IOException | java.io.UncheckedIOException e) {
            // the tree vanished meanwhile
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // keep deleting the rest; what is left is reported by the caller's check
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // the tree vanished meanwhile
        }
    }
}
