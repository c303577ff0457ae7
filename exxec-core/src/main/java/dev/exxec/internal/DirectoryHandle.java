package dev.exxec.internal;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An open directory, and the operations on the entries in it that act on the entry itself by its name
 * in this directory ({@code openat}, {@code fstatat}, {@code unlinkat}, {@code renameat}), never
 * through a path that another process could change on the way, and never through a symbolic link.
 *
 * <p>Every name is one entry of this directory: never empty, {@code .}, {@code ..}, nor containing a
 * {@code /}. Not thread-safe; {@link #close()} is idempotent.
 */
public final class DirectoryHandle implements AutoCloseable {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Set<OpenOption> READ_WRITE =
            Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private final SecureDirectoryStream<Path> stream;
    /** What messages call this directory. */
    private final String where;
    /** Guarded opens still running on a thread of {@link FifoGuard}: they hold the stream's lock. */
    private int opening;

    private boolean closeRequested;

    private DirectoryHandle(SecureDirectoryStream<Path> stream, String where) {
        this.stream = stream;
        this.where = where;
    }

    /**
     * Opens a directory by its path, following links: only for a directory whose path nobody else can
     * change (one this JVM made in a directory the code cannot reach, or the parent of such a place).
     *
     * @throws IOException also when this platform offers no race-free directory access
     */
    public static DirectoryHandle open(Path trusted) throws IOException {
        return open(trusted, trusted.toString());
    }

    /**
     * Opens a directory by its path as {@link #open(Path)} does; {@code label} names it, and its entries
     * below it, in messages (the path as the code sees it, say).
     */
    public static DirectoryHandle open(Path trusted, String label) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(trusted);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return new DirectoryHandle(secure, label);
        }
        stream.close();
        throw new IOException("this platform offers no race-free access to directories (no openat): " + trusted);
    }

    private static Path name(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("not a name of a directory entry: '" + name + "'");
        }
        return Path.of(name);
    }

    /** The entry's attributes, not following a link; empty when nothing has that name. */
    public Optional<BasicFileAttributes> stat(String name) throws IOException {
        try {
            return Optional.of(stream.getFileAttributeView(name(name), BasicFileAttributeView.class, NOFOLLOW)
                    .readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The entry's POSIX attributes (permissions, owner), not following a link. */
    public PosixFileAttributes statPosix(String name) throws IOException {
        return stream.getFileAttributeView(name(name), PosixFileAttributeView.class, NOFOLLOW)
                .readAttributes();
    }

    /** This directory's own attributes ({@code fstat}). */
    public BasicFileAttributes self() throws IOException {
        return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
    }

    /**
     * Opens the directory that has this name now, or returns null when the entry is anything else at
     * this moment (missing, a link, a file, a FIFO), also when it changed while it was opened.
     *
     * <p>It opens {@code name/.}: a by-name open of a FIFO would block until a writer came (the JDK
     * opens directories without {@code O_DIRECTORY}), while {@code name/.} fails at once when {@code
     * name} is no directory. The price is that a link put there in the moment of the open is followed
     * for the open itself, so the directory opened is then compared, by device and inode, with the
     * entry that has the name afterwards, without following: a directory has exactly one name, so they
     * are equal only when the handle is the directory at that name in this directory; a directory the
     * link led to is closed unread.
     */
    public @Nullable DirectoryHandle openDirectory(String name) throws IOException {
        Path entry = name(name);
        SecureDirectoryStream<Path> child;
        try {
            child = stream.newDirectoryStream(entry.resolve("."), NOFOLLOW);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        } catch (FileSystemException e) {
            if (stat(name).map(a -> !a.isDirectory()).orElse(true)) {
                return null; // it changed (a link to nowhere, say): the caller looks again
            }
            throw e;
        }
        boolean same = false;
        try {
            Object opened = child.getFileAttributeView(BasicFileAttributeView.class)
                    .readAttributes()
                    .fileKey();
            Optional<BasicFileAttributes> now = stat(name);
            same = opened != null
                    && now.isPresent()
                    && now.get().isDirectory()
                    && Objects.equals(opened, now.get().fileKey());
        } finally {
            if (!same) {
                child.close();
            }
        }
        return same ? new DirectoryHandle(child, where + "/" + name) : null;
    }

    /**
     * Opens the regular file that has this name for reading, never blocking the caller on a FIFO, and
     * refuses anything but a regular file: {@link SpecialFileException} for a FIFO or a socket. A link
     * there fails the open ({@code O_NOFOLLOW}).
     *
     * <p>First for reading and writing, which never blocks (an open of a FIFO for both ends returns at
     * once); where that is refused (a file this JVM may only read, a program being executed, a
     * read-only mount), for reading only under {@link FifoGuard}, released by the same open for both
     * ends through this handle. Either way what was opened is then asked for its position, which a
     * FIFO or socket cannot give ({@code ESPIPE}); the code in a confined workspace cannot make device
     * files (no {@code CAP_MKNOD} in the host's user namespace) nor move or link one in (another mount).
     */
    public SeekableByteChannel openForReading(String name) throws IOException {
        Path entry = name(name);
        SeekableByteChannel channel;
        try {
            channel = stream.newByteChannel(entry, READ_WRITE);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Whatever refused writing (permission, ETXTBSY, EROFS, a directory or link in its place):
            // the open for reading alone says what is true for reading.
            channel = openGuarded(entry, READ);
        }
        try {
            channel.position();
        } catch (IOException e) {
            channel.close();
            throw new SpecialFileException(where + "/" + name);
        }
        return channel;
    }

    private SeekableByteChannel openGuarded(Path entry, Set<OpenOption> options) throws IOException {
        return FifoGuard.open(
                where + "/" + entry,
                () -> {
                    // Counted here, on the guard's thread: an open the guard refused or never started
                    // holds nothing, and one that started before a close keeps the stream open for itself.
                    synchronized (this) {
                        if (closeRequested) {
                            throw new IOException("the directory " + where + " was closed before the open began");
                        }
                        opening++;
                    }
                    try {
                        return stream.newByteChannel(entry, options);
                    } finally {
                        openingDone();
                    }
                },
                () -> stream.newByteChannel(entry, READ_WRITE).close());
    }

    private synchronized void openingDone() {
        opening--;
        if (opening == 0 && closeRequested) {
            closeStream();
        }
    }

    /** The names in this directory, read through a handle of its own ({@code .}). */
    public List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        try (SecureDirectoryStream<Path> again = stream.newDirectoryStream(Path.of("."), NOFOLLOW)) {
            for (Path p : again) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    /** Removes a non-directory entry (a link itself, never its target). */
    public void deleteFile(String name) throws IOException {
        stream.deleteFile(name(name));
    }

    /** Removes an empty directory. */
    public void deleteDirectory(String name) throws IOException {
        stream.deleteDirectory(name(name));
    }

    /** Renames an entry of this directory to {@code toName} in {@code to} ({@code renameat}), replacing a file there. */
    public void move(String name, DirectoryHandle to, String toName) throws IOException {
        stream.move(name(name), to.stream, name(toName));
    }

    /** Adds permissions to this directory itself ({@code fchmod} on the open handle: no name, no link). */
    public void allowSelf(Set<PosixFilePermission> add) throws IOException {
        PosixFileAttributeView view = stream.getFileAttributeView(PosixFileAttributeView.class);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        permissions.addAll(view.readAttributes().permissions());
        if (permissions.addAll(add)) {
            view.setPermissions(permissions);
        }
    }

    /**
     * Closes the directory; while a guarded open of an entry is still blocked on another thread (it
     * holds the directory's lock), the close happens when that open ends.
     */
    @Override
    public synchronized void close() {
        closeRequested = true;
        if (opening == 0) {
            closeStream();
        }
    }

    private void closeStream() {
        try {
            stream.close();
        } catch (IOException e) {
            // closing a directory handle fails only on a bad descriptor: nothing to release
        }
    }

    @Override
    public String toString() {
        return "DirectoryHandle[" + where + "]";
    }

    /** What an open found instead of a regular file: a FIFO or a socket. */
    public static final class SpecialFileException extends IOException {
        private static final long serialVersionUID = 1L;

        SpecialFileException(String what) {
            super(what + " is not a regular file (a FIFO or a socket)");
        }
    }
}
