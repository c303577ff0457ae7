package dev.exxec.spi;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import dev.exxec.WorkspaceFiles;
import dev.exxec.internal.ConfinedTree;
import dev.exxec.internal.FifoGuard;
import dev.exxec.internal.TreeRemoval;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Files of an environment whose workspace is a directory on this machine, relative paths against
 * the workspace.
 *
 * <p>Unconfined ({@code local}): the host's file system; absolute paths reach the whole host, as the
 * code itself can, and links are followed as the code would follow them. Confined ({@code sandbox},
 * {@code graalvm}): paths are as the code sees them and only the workspace is reachable, race-free by
 * construction although the code changes the workspace at the same time (see {@link ConfinedTree}): a
 * path that leads outside it, also through a symbolic link the code made, is refused with {@code
 * OUTSIDE_WORKSPACE}, and this JVM never reads, writes or creates a host file for the code.
 *
 * <p>Either way only regular files are read and written: a FIFO, socket or device is refused with a
 * {@link FileOperationException} of reason {@code IO}, never waited on.
 */
public final class HostWorkspaceFiles implements WorkspaceFiles {
    private final Runnable ensureOpen;
    private final long readLimit;
    private final Path hostWorkspace;
    private final String visibleWorkspace;
    private final @Nullable ConfinedTree confined;

    /**
     * The user and group that a confined workspace's new files and directories get, so that code
     * running as that user can change what the host wrote.
     *
     * @param uid a numeric user id (no name service is asked)
     * @param gid a numeric group id
     */
    public record Owner(int uid, int gid) {
        public Owner {
            if (uid < 0 || gid < 0) {
                throw new IllegalArgumentException("owner ids must not be negative: " + uid + ":" + gid);
            }
        }
    }

    /**
     * Files whose new entries belong to this JVM's user.
     *
     * @param ensureOpen throws when the environment is closed
     * @param hostWorkspace the workspace on this machine; confined, its parent must be a directory
     *     the code cannot reach (new entries are staged there)
     * @param visibleWorkspace the workspace's path as the code sees it
     * @param confined whether only the workspace is reachable
     * @param whose what the refusal of an outside path calls the environment ("a sandbox's")
     */
    public HostWorkspaceFiles(
            Runnable ensureOpen, Path hostWorkspace, String visibleWorkspace, boolean confined, String whose) {
        this(
                ensureOpen,
                hostWorkspace,
                visibleWorkspace,
                confined,
                whose,
                null,
                EnvironmentSettings.DEFAULT_READ_LIMIT);
    }

    /**
     * Files whose new entries, when confined, belong to {@code owner}: this JVM must then be allowed to
     * give files away (root).
     *
     * @param owner the owner of what a confined workspace's files create, or null for this JVM's user
     * @param readLimit the most bytes {@link #read(String)} takes of one file
     * @see #HostWorkspaceFiles(Runnable, Path, String, boolean, String)
     */
    public HostWorkspaceFiles(
            Runnable ensureOpen,
            Path hostWorkspace,
            String visibleWorkspace,
            boolean confined,
            String whose,
            @Nullable Owner owner,
            long readLimit) {
        this.ensureOpen = ensureOpen;
        this.readLimit = readLimit;
        this.hostWorkspace = hostWorkspace;
        this.visibleWorkspace = visibleWorkspace;
        this.confined = confined
                ? new ConfinedTree(
                        hostWorkspace,
                        visibleWorkspace,
                        whose,
                        owner == null ? -1 : owner.uid(),
                        owner == null ? -1 : owner.gid())
                : null;
    }

    @Override
    public String workspace() {
        ensureOpen.run();
        return visibleWorkspace;
    }

    @Override
    public byte[] read(String path) {
        return read(path, readLimit);
    }

    @Override
    public byte[] read(String path, long maxBytes) {
        ensureOpen.run();
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        byte[] content;
        if (confined != null) {
            content = confined.read(path, maxBytes);
        } else {
            Path p = resolve(path);
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (a.isDirectory()) {
                    throw new FileOperationException(
                            Reason.IS_A_DIRECTORY, path, "cannot read " + p + ": it is a directory");
                }
                if (!a.isRegularFile()) {
                    throw special("read", path, p);
                }
                try (SeekableByteChannel channel = FifoGuard.open(
                        p.toString(), () -> Files.newByteChannel(p, StandardOpenOption.READ), () -> release(p))) {
                    requireRegular(channel, "read", path, p);
                    content = Channels.newInputStream(channel).readNBytes(ConfinedTree.toRead(maxBytes));
                }
            } catch (IOException e) {
                throw failure("read", path, p, e);
            }
        }
        if (content.length > maxBytes) {
            throw tooLarge(path, maxBytes);
        }
        return content;
    }

    /** The refusal of a file larger than a read may take, for every provider alike. */
    public static FileOperationException tooLarge(String path, long maxBytes) {
        return new FileOperationException(
                Reason.TOO_LARGE,
                path,
                "cannot read " + path + ": it holds more than " + maxBytes + " bytes, the most this read takes"
                        + " (config key 'readLimit' for files().read(path); files().read(path, maxBytes))");
    }

    @Override
    public void write(String path, byte[] content) {
        ensureOpen.run();
        if (confined != null) {
            confined.write(path, content);
            return;
        }
        Path p = resolve(path);
        try {
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            if (Files.isDirectory(p)) {
                throw new FileOperationException(
                        Reason.IS_A_DIRECTORY, path, "cannot write " + p + ": it is a directory");
            }
            if (Files.exists(p) && !Files.isRegularFile(p)) {
                throw special("write", path, p);
            }
            // An open for writing alone waits for a reader when a FIFO took the file's place.
            try (SeekableByteChannel channel = FifoGuard.open(
                    p.toString(),
                    () -> Files.newByteChannel(
                            p,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING),
                    () -> release(p))) {
                requireRegular(channel, "write", path, p);
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            throw failure("write", path, p, e);
        }
    }

    /** Opens a path for both ends and closes it: what releases an open blocked on a FIFO there. */
    private static void release(Path p) throws IOException {
        Files.newByteChannel(p, StandardOpenOption.READ, StandardOpenOption.WRITE)
                .close();
    }

    /** A FIFO or socket has no position: what the open found if one took the file's place after the look. */
    private static void requireRegular(SeekableByteChannel channel, String operation, String given, Path p) {
        try {
            channel.position();
        } catch (IOException e) {
            throw special(operation, given, p);
        }
    }

    private static FileOperationException special(String operation, String given, Path p) {
        return new FileOperationException(
                Reason.IO,
                given,
                "cannot " + operation + " " + p
                        + ": it is not a regular file (a FIFO, socket or device); files() reads and writes regular"
                        + " files only");
    }

    @Override
    public List<FileEntry> list(String path) {
        ensureOpen.run();
        if (confined != null) {
            return confined.list(path);
        }
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
        ensureOpen.run();
        if (confined != null) {
            return confined.stat(path);
        }
        Path p = resolve(path);
        try {
            return entry(p);
        } catch (IOException e) {
            throw failure("stat", path, p, e);
        }
    }

    private static FileEntry entry(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        FileEntry.Type type = a.isSymbolicLink()
                ? FileEntry.Type.SYMLINK
                : a.isDirectory()
                        ? FileEntry.Type.DIRECTORY
                        : a.isRegularFile() ? FileEntry.Type.FILE : FileEntry.Type.OTHER;
        Path name = p.getFileName();
        return new FileEntry(
                p.toString(),
                name == null ? "/" : name.toString(),
                type,
                a.size(),
                a.lastModifiedTime().toInstant());
    }

    @Override
    public boolean exists(String path) {
        ensureOpen.run();
        if (confined != null) {
            return confined.exists(path);
        }
        return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Whether a path is a directory, following symbolic links as a read does (confined: only inside
     * the workspace; a path that leads out is refused with {@code OUTSIDE_WORKSPACE}).
     */
    public boolean isDirectory(String path) {
        ensureOpen.run();
        if (confined != null) {
            return confined.isDirectory(path);
        }
        return Files.isDirectory(resolve(path));
    }

    @Override
    public void mkdir(String path) {
        ensureOpen.run();
        if (confined != null) {
            confined.mkdir(path);
            return;
        }
        Path p = resolve(path);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw failure("create directory", path, p, e);
        }
    }

    @Override
    public void move(String from, String to) {
        ensureOpen.run();
        if (confined != null) {
            confined.move(from, to);
            return;
        }
        Path source = resolve(from);
        Path target = resolve(to);
        try {
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failure("move " + source + " to", to, target, e);
        }
    }

    @Override
    public void delete(String path) {
        ensureOpen.run();
        if (confined != null) {
            confined.delete(path);
            return;
        }
        Path p = resolve(path);
        if (p.equals(hostWorkspace)) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED, path, "the workspace itself cannot be deleted; delete what is in it");
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileOperationException(
                    Reason.NOT_FOUND, path, "cannot delete " + p + ": no such file or directory");
        }
        // Through directory handles, never following a link, also on the host's own file system.
        if (!TreeRemoval.deleteTree(p)) {
            throw new FileOperationException(Reason.PERMISSION_DENIED, path, "could not delete all of " + p);
        }
    }

    /** The host path of a path, unconfined: relative to the workspace, or absolute. */
    private Path resolve(String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        Path visible = Path.of(visibleWorkspace).resolve(path).normalize();
        Path root = Path.of(visibleWorkspace);
        return visible.startsWith(root)
                ? hostWorkspace.resolve(root.relativize(visible).toString())
                : visible;
    }

    private static FileOperationException failure(String operation, String given, Path resolved, IOException e) {
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
}
