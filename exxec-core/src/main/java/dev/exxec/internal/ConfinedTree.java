package dev.exxec.internal;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The files below a root directory on this machine, for a party that must reach nothing outside it
 * although another party (the code of a sandbox) changes the tree at the same time: race-free by
 * construction, so that this JVM never reads, writes or creates a host file for the code.
 *
 * <p>Paths are as the code sees them: {@code ..} and absolute paths are resolved lexically against
 * the visible root first, and what leads outside is refused with {@code OUTSIDE_WORKSPACE}. The rest is
 * walked one name at a time from an open handle on the root ({@link DirectoryHandle}): each step
 * looks at the entry without following it, enters a directory only as the directory that has that
 * name at that moment, and every operation acts on a name in its open parent directory ({@code
 * openat}, {@code unlinkat}, {@code renameat}). No symbolic link is followed by the kernel on this
 * JVM's behalf. A link met on the way (or as the last name of a read, write, listing or mkdir) is
 * resolved like a path instead: its target, lexically against the directory holding the link, must
 * stay in the root (else {@code OUTSIDE_WORKSPACE}), and the walk starts again from the root with the
 * target in its place, at most {@link #MAX_HOPS} times. Reading the target is the one call made by
 * path ({@code readlink} has no handle-relative form in the JDK): when raced, what it can return is
 * the target text of some other link, which only decides between refusing and walking again inside
 * the root, and is never shown.
 *
 * <p>What this JVM creates is made in a private staging directory next to the root, which the code
 * cannot reach, given its owner there when one is set, and then renamed into place through the
 * parent's handle: a written file replaces the old one at once (keeping its permissions), and a new
 * directory appears complete. Reads and writes refuse anything but regular files, so a FIFO the code
 * made never blocks a caller (see {@link DirectoryHandle#openForReading}).
 *
 * <p>Thread-safe: every operation opens its own handles and closes them before it returns.
 */
public final class ConfinedTree {
    /** Most symbolic links followed, and walks restarted because the tree changed, in one operation. */
    static final int MAX_HOPS = 40;

    private static final String STAGED = "entry";

    private final Path hostRoot;
    private final Path visibleRoot;
    private final String whose;
    private final Path stagingParent;
    private final int uid;
    private final int gid;

    /**
     * @param hostRoot the root on this machine: a directory whose own path nobody else can change
     * @param visibleRoot the root's path as the code sees it
     * @param whose what the refusal of an outside path calls the tree ("a sandbox's")
     * @param uid the owner every created file and directory gets, or -1 for this JVM's user
     * @param gid its group, or -1
     */
    public ConfinedTree(Path hostRoot, String visibleRoot, String whose, int uid, int gid) {
        this.hostRoot = hostRoot.toAbsolutePath();
        this.visibleRoot = Path.of(visibleRoot);
        this.whose = whose;
        // Next to the root, so on the same file system (a rename cannot cross one), and out of the code's
        // reach: its parent holds the workspace and is this JVM's own.
        this.stagingParent = this.hostRoot.getParent();
        this.uid = uid;
        this.gid = gid;
        if (stagingParent == null) {
            throw new IllegalArgumentException("the root cannot be " + hostRoot);
        }
        if (!this.visibleRoot.isAbsolute()) {
            throw new IllegalArgumentException("the visible root must be absolute: " + visibleRoot);
        }
    }

    /**
     * How many bytes a read that may take {@code maxBytes} reads: one more, to tell a larger file,
     * within what an array holds.
     */
    public static int toRead(long maxBytes) {
        return (int) Math.min(Math.max(maxBytes, 0), Integer.MAX_VALUE - 9) + 1;
    }

    /**
     * The whole content of a regular file, or, when it holds more than {@code maxBytes}, the first
     * {@code maxBytes + 1} bytes of it (the caller refuses those): never more is read.
     */
    public byte[] read(String given, long maxBytes) {
        List<String> names = names(given);
        Hops hops = new Hops(given);
        while (true) {
            try (Place p = locate(given, names, true, false, hops)) {
                if (p.entry == null) {
                    throw isDirectory("read", given, p.visible());
                }
                Optional<BasicFileAttributes> a = p.dir.stat(p.name());
                if (a.isEmpty()) {
                    throw notFound("read", given, p.visible());
                }
                if (a.get().isSymbolicLink()) {
                    hops.count(); // it became a link after the walk looked: resolve it
                    continue;
                }
                if (a.get().isDirectory()) {
                    throw isDirectory("read", given, p.visible());
                }
                if (!a.get().isRegularFile()) {
                    throw special("read", given, p.visible());
                }
                try (SeekableByteChannel channel = p.dir.openForReading(p.name())) {
                    return Channels.newInputStream(channel).readNBytes(toRead(maxBytes));
                } catch (DirectoryHandle.SpecialFileException e) {
                    throw special("read", given, p.visible());
                } catch (IOException e) {
                    if (changedKind(p, a.get())) {
                        hops.count();
                        continue;
                    }
                    throw failure("read", given, p.visible(), e);
                }
            } catch (IOException e) {
                throw failure("read", given, visible(names), e);
            }
        }
    }

    /** Writes a regular file, replacing what was there, creating missing parent directories. */
    public void write(String given, byte[] content) {
        List<String> names = names(given);
        Hops hops = new Hops(given);
        while (true) {
            try (Place p = locate(given, names, true, true, hops)) {
                if (p.entry == null) {
                    throw isDirectory("write", given, p.visible());
                }
                Optional<PosixFileAttributes> a = statPosix(p.dir, p.name());
                if (a.isPresent()) {
                    if (a.get().isSymbolicLink()) {
                        hops.count();
                        continue;
                    }
                    if (a.get().isDirectory()) {
                        throw isDirectory("write", given, p.visible());
                    }
                    if (!a.get().isRegularFile()) {
                        throw special("write", given, p.visible());
                    }
                }
                try (Staging staging = new Staging()) {
                    staging.file(
                            content, a.map(PosixFileAttributes::permissions).orElse(null));
                    staging.moveTo(p.dir, p.name());
                } catch (FileSystemException e) {
                    if (p.dir.stat(p.name())
                            .map(BasicFileAttributes::isDirectory)
                            .orElse(false)) {
                        throw isDirectory("write", given, p.visible());
                    }
                    throw e;
                }
                return;
            } catch (IOException e) {
                throw failure("write", given, visible(names), e);
            }
        }
    }

    /** The entries of a directory, sorted by name. */
    public List<FileEntry> list(String given) {
        List<String> names = names(given);
        Hops hops = new Hops(given);
        while (true) {
            try (Place p = locate(given, names, true, false, hops)) {
                DirectoryHandle dir = p.dir;
                if (p.entry != null) {
                    Optional<BasicFileAttributes> a = p.dir.stat(p.name());
                    if (a.isEmpty()) {
                        throw notFound("list", given, p.visible());
                    }
                    if (a.get().isSymbolicLink()) {
                        hops.count();
                        continue;
                    }
                    if (!a.get().isDirectory()) {
                        throw new FileOperationException(
                                Reason.NOT_A_DIRECTORY, given, "cannot list " + p.visible() + ": not a directory");
                    }
                    dir = p.dir.openDirectory(p.name());
                    if (dir == null) {
                        hops.count();
                        continue;
                    }
                }
                try {
                    Path where = Path.of(p.visible());
                    List<FileEntry> entries = new ArrayList<>();
                    for (String name : dir.names()) {
                        Optional<BasicFileAttributes> a = dir.stat(name);
                        // one removed between the listing and the look is not an entry any more
                        a.ifPresent(attributes ->
                                entries.add(entry(where.resolve(name).toString(), name, attributes)));
                    }
                    entries.sort(Comparator.comparing(FileEntry::name));
                    return entries;
                } finally {
                    if (dir != p.dir) {
                        dir.close();
                    }
                }
            } catch (IOException e) {
                throw failure("list", given, visible(names), e);
            }
        }
    }

    /** The entry at a path, not following a last symbolic link. */
    public FileEntry stat(String given) {
        List<String> names = names(given);
        try (Place p = locate(given, names, false, false, new Hops(given))) {
            if (p.entry == null) {
                Path name = visibleRoot.getFileName();
                return entry(visibleRoot.toString(), name == null ? "/" : name.toString(), p.dir.self());
            }
            BasicFileAttributes a = p.dir.stat(p.name()).orElseThrow(() -> notFound("stat", given, p.visible()));
            return entry(p.visible(), p.name(), a);
        } catch (IOException e) {
            throw failure("stat", given, visible(names), e);
        }
    }

    /** Whether something (a dangling link too) is at a path; a path leading outside is refused. */
    public boolean exists(String given) {
        List<String> names = names(given);
        try (Place p = locate(given, names, false, false, new Hops(given))) {
            return p.entry == null || p.dir.stat(p.name()).isPresent();
        } catch (FileOperationException e) {
            if (e.reason() == Reason.NOT_FOUND || e.reason() == Reason.NOT_A_DIRECTORY) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            throw failure("look at", given, visible(names), e);
        }
    }

    /** Whether a path is a directory, following links inside the root as a read does. */
    public boolean isDirectory(String given) {
        List<String> names = names(given);
        Hops hops = new Hops(given);
        while (true) {
            try (Place p = locate(given, names, true, false, hops)) {
                if (p.entry == null) {
                    return true;
                }
                Optional<BasicFileAttributes> a = p.dir.stat(p.name());
                if (a.isPresent() && a.get().isSymbolicLink()) {
                    hops.count();
                    continue;
                }
                return a.map(BasicFileAttributes::isDirectory).orElse(false);
            } catch (FileOperationException e) {
                if (e.reason() == Reason.NOT_FOUND || e.reason() == Reason.NOT_A_DIRECTORY) {
                    return false;
                }
                throw e;
            } catch (IOException e) {
                throw failure("look at", given, visible(names), e);
            }
        }
    }

    /** Creates a directory and its missing parents; nothing when it exists. */
    public void mkdir(String given) {
        List<String> names = names(given);
        Hops hops = new Hops(given);
        while (true) {
            try (Place p = locate(given, names, true, true, hops)) {
                if (p.entry == null) {
                    return;
                }
                Optional<BasicFileAttributes> a = p.dir.stat(p.name());
                if (a.isEmpty()) {
                    makeDirectory(p.dir, p.name());
                    a = p.dir.stat(p.name());
                }
                if (a.isEmpty() || a.get().isSymbolicLink()) {
                    hops.count();
                    continue;
                }
                if (!a.get().isDirectory()) {
                    throw new FileOperationException(
                            Reason.ALREADY_EXISTS,
                            given,
                            "cannot create directory " + p.visible() + ": a file is in the way");
                }
                return;
            } catch (IOException e) {
                throw failure("create directory", given, visible(names), e);
            }
        }
    }

    /** Renames an entry, replacing a file at the target, creating the target's missing parents. */
    public void move(String from, String to) {
        List<String> source = names(from);
        List<String> target = names(to);
        if (source.isEmpty() || target.isEmpty()) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED,
                    source.isEmpty() ? from : to,
                    "the workspace itself cannot be moved or replaced");
        }
        Hops hops = new Hops(from);
        try (Place s = locate(from, source, false, false, hops)) {
            if (s.dir.stat(s.name()).isEmpty()) {
                throw notFound("move", from, s.visible());
            }
            try (Place t = locate(to, target, false, true, hops)) {
                try {
                    s.dir.move(s.name(), t.dir, t.name());
                } catch (IOException e) {
                    throw failure("move " + s.visible() + " to", to, t.visible(), e);
                }
            }
        } catch (IOException e) {
            throw failure("move", from, visible(source), e);
        }
    }

    /** Deletes a file, link (not what it leads to) or directory tree. */
    public void delete(String given) {
        List<String> names = names(given);
        if (names.isEmpty()) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED, given, "the workspace itself cannot be deleted; delete what is in it");
        }
        try (Place p = locate(given, names, false, false, new Hops(given))) {
            if (p.dir.stat(p.name()).isEmpty()) {
                throw notFound("delete", given, p.visible());
            }
            if (!TreeRemoval.remove(p.dir, p.name())) {
                throw new FileOperationException(
                        Reason.PERMISSION_DENIED, given, "could not delete all of " + p.visible());
            }
        } catch (IOException e) {
            throw failure("delete", given, visible(names), e);
        }
    }

    // The walk

    /**
     * Where a walk ended: the open directory that holds the entry, and its name there (null for the
     * root itself, which {@code dir} then is).
     */
    private record Place(DirectoryHandle dir, @Nullable String entry, Path visiblePath) implements AutoCloseable {
        String visible() {
            return visiblePath.toString();
        }

        /** The entry's name in {@code dir}; only for a place that is not the root. */
        String name() {
            if (entry == null) {
                throw new IllegalStateException("the root has no name in a parent");
            }
            return entry;
        }

        @Override
        public void close() {
            dir.close();
        }
    }

    /** Counts the links followed and the walks restarted in one operation. */
    private static final class Hops {
        private final String given;
        private int count;

        Hops(String given) {
            this.given = given;
        }

        void count() {
            if (++count > MAX_HOPS) {
                throw new FileOperationException(
                        Reason.IO,
                        given,
                        "cannot resolve " + given + ": more than " + MAX_HOPS
                                + " symbolic links on the way, or it kept changing while it was walked");
            }
        }
    }

    /**
     * Walks {@code names} from the root and returns the open parent of the last one.
     *
     * @param followLast whether a link as the last name is resolved (read, write, list, mkdir) or is
     *     the entry itself (stat, exists, delete, move)
     * @param makeParents whether missing directories on the way are created
     */
    private Place locate(String given, List<String> names, boolean followLast, boolean makeParents, Hops hops)
            throws IOException {
        List<String> current = names;
        restart:
        while (true) {
            DirectoryHandle dir = DirectoryHandle.open(hostRoot, visibleRoot.toString());
            boolean handedOver = false;
            try {
                for (int i = 0; i < current.size(); i++) {
                    String name = current.get(i);
                    boolean last = i == current.size() - 1;
                    if (last && !followLast) {
                        handedOver = true;
                        return new Place(dir, name, visiblePath(current));
                    }
                    Optional<BasicFileAttributes> a = dir.stat(name);
                    if (a.isPresent() && a.get().isSymbolicLink()) {
                        hops.count();
                        current = throughLink(given, current, i);
                        continue restart;
                    }
                    if (last) {
                        handedOver = true;
                        return new Place(dir, name, visiblePath(current));
                    }
                    if (a.isEmpty()) {
                        if (!makeParents) {
                            throw notFound("reach", given, visible(current.subList(0, i + 1)));
                        }
                        makeDirectory(dir, name);
                    } else if (!a.get().isDirectory()) {
                        throw new FileOperationException(
                                Reason.NOT_A_DIRECTORY,
                                given,
                                "cannot reach " + visible(current) + ": " + visible(current.subList(0, i + 1))
                                        + " is not a directory");
                    }
                    DirectoryHandle child = dir.openDirectory(name);
                    if (child == null) {
                        hops.count(); // it changed since it was looked at: walk again
                        continue restart;
                    }
                    dir.close();
                    dir = child;
                }
                handedOver = true;
                return new Place(dir, null, visiblePath(current));
            } finally {
                if (!handedOver) {
                    dir.close();
                }
            }
        }
    }

    /**
     * The names to walk instead when {@code current[i]} is a symbolic link: its target resolved
     * lexically against the directory that holds it, then the names after it.
     */
    private List<String> throughLink(String given, List<String> current, int i) throws IOException {
        List<String> upTo = current.subList(0, i + 1);
        Path target;
        try {
            target = Files.readSymbolicLink(hostRoot.resolve(String.join("/", upTo)));
        } catch (NotLinkException | NoSuchFileException e) {
            return current; // it changed meanwhile: walk the same names again
        }
        Path resolved = visiblePath(current.subList(0, i)).resolve(target).normalize();
        if (!resolved.startsWith(visibleRoot)) {
            throw new FileOperationException(
                    Reason.OUTSIDE_WORKSPACE,
                    given,
                    given + " leads through the symbolic link " + visible(upTo) + " outside the workspace "
                            + visibleRoot + ": " + whose + " files are reachable only inside it");
        }
        List<String> next = new ArrayList<>(split(visibleRoot.relativize(resolved)));
        next.addAll(current.subList(i + 1, current.size()));
        return next;
    }

    /** The names of a path as the code gives it, checked to stay in the root. */
    private List<String> names(String given) {
        if (given.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        Path visible = visibleRoot.resolve(given).normalize();
        if (!visible.startsWith(visibleRoot)) {
            throw new FileOperationException(
                    Reason.OUTSIDE_WORKSPACE,
                    given,
                    given + " leads to " + visible + ", outside the workspace " + visibleRoot + ": " + whose
                            + " files are reachable only inside it");
        }
        return split(visibleRoot.relativize(visible));
    }

    private static List<String> split(Path relative) {
        List<String> names = new ArrayList<>();
        if (!relative.toString().isEmpty()) {
            for (Path name : relative) {
                names.add(name.toString());
            }
        }
        return List.copyOf(names);
    }

    private Path visiblePath(List<String> names) {
        return names.isEmpty() ? visibleRoot : visibleRoot.resolve(String.join("/", names));
    }

    private String visible(List<String> names) {
        return visiblePath(names).toString();
    }

    // Creating

    /**
     * Creates the directory {@code name} in {@code dir}: made in the staging directory (and given its
     * owner there), then renamed into place. When something took the name meanwhile, that stays; the
     * caller looks at what it is. (A rename onto an empty directory replaces it, which leaves an empty
     * directory there all the same.)
     */
    private void makeDirectory(DirectoryHandle dir, String name) throws IOException {
        try (Staging staging = new Staging()) {
            staging.directory();
            try {
                staging.moveTo(dir, name);
            } catch (FileSystemException e) {
                if (dir.stat(name).isEmpty()) {
                    throw e;
                }
            }
        }
    }

    /**
     * A private directory next to the root, for one entry that is made there and then renamed into
     * the tree: the code cannot reach it, so it is used by path.
     */
    private final class Staging implements AutoCloseable {
        private final Path dir;
        private final DirectoryHandle handle;

        Staging() throws IOException {
            this.dir = Files.createTempDirectory(stagingParent, ".exxec-staging-");
            try {
                this.handle = DirectoryHandle.open(dir, "a staging directory");
            } catch (IOException e) {
                TreeRemoval.deleteTree(dir);
                throw e;
            }
        }

        void file(byte[] content, @Nullable Set<PosixFilePermission> permissions) throws IOException {
            Path file = dir.resolve(STAGED);
            Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            if (permissions != null) {
                Files.setPosixFilePermissions(file, permissions);
            }
            own(file);
        }

        void directory() throws IOException {
            own(Files.createDirectory(dir.resolve(STAGED)));
        }

        /** Gives the staged entry its owner by number ({@code lchown}), so no name service is asked. */
        private void own(Path staged) throws IOException {
            if (uid >= 0) {
                Files.setAttribute(staged, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
            if (gid >= 0) {
                Files.setAttribute(staged, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        }

        void moveTo(DirectoryHandle to, String name) throws IOException {
            handle.move(STAGED, to, name);
        }

        @Override
        public void close() throws IOException {
            handle.close();
            // Private, so by path: what can be left is the staged entry (a file or an empty directory).
            Files.deleteIfExists(dir.resolve(STAGED));
            Files.delete(dir);
        }
    }

    // Results and failures

    private static Optional<PosixFileAttributes> statPosix(DirectoryHandle dir, String name) throws IOException {
        try {
            return Optional.of(dir.statPosix(name));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Whether the entry an operation found is now of another kind (a link, say): it raced the walk. */
    private static boolean changedKind(Place p, BasicFileAttributes before) throws IOException {
        Optional<BasicFileAttributes> now = p.dir.stat(p.name());
        return now.isEmpty()
                || now.get().isSymbolicLink()
                || now.get().isDirectory() != before.isDirectory()
                || now.get().isRegularFile() != before.isRegularFile()
                || !Objects.equals(now.get().fileKey(), before.fileKey());
    }

    private static FileEntry entry(String visible, String name, BasicFileAttributes a) {
        FileEntry.Type type = a.isSymbolicLink()
                ? FileEntry.Type.SYMLINK
                : a.isDirectory()
                        ? FileEntry.Type.DIRECTORY
                        : a.isRegularFile() ? FileEntry.Type.FILE : FileEntry.Type.OTHER;
        return new FileEntry(visible, name, type, a.size(), a.lastModifiedTime().toInstant());
    }

    private static FileOperationException notFound(String operation, String given, String visible) {
        return new FileOperationException(
                Reason.NOT_FOUND, given, "cannot " + operation + " " + visible + ": no such file or directory");
    }

    private static FileOperationException isDirectory(String operation, String given, String visible) {
        return new FileOperationException(
                Reason.IS_A_DIRECTORY, given, "cannot " + operation + " " + visible + ": it is a directory");
    }

    private static FileOperationException special(String operation, String given, String visible) {
        return new FileOperationException(
                Reason.IO,
                given,
                "cannot " + operation + " " + visible
                        + ": it is not a regular file (a FIFO, socket or device); files() reads and writes regular"
                        + " files only");
    }

    /** A failure of the file system, said with the path as the code sees it and without host paths. */
    static FileOperationException failure(String operation, String given, String visible, IOException e) {
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        Reason reason = switch (e) {
            case NoSuchFileException x -> Reason.NOT_FOUND;
            case FileAlreadyExistsException x -> Reason.ALREADY_EXISTS;
            case NotDirectoryException x -> Reason.NOT_A_DIRECTORY;
            case DirectoryNotEmptyException x -> Reason.DIRECTORY_NOT_EMPTY;
            case AccessDeniedException x -> Reason.PERMISSION_DENIED;
            default -> reasonOf(String.valueOf(why));
        };
        String detail = switch (reason) {
            case NOT_FOUND -> "no such file or directory";
            case ALREADY_EXISTS -> "it already exists";
            case NOT_A_DIRECTORY -> "not a directory";
            case IS_A_DIRECTORY -> "it is a directory";
            case DIRECTORY_NOT_EMPTY -> "directory not empty";
            case PERMISSION_DENIED -> "permission denied";
            case OUTSIDE_WORKSPACE, TOO_LARGE, IO -> String.valueOf(why);
        };
        return new FileOperationException(reason, given, "cannot " + operation + " " + visible + ": " + detail, e);
    }

    private static Reason reasonOf(String why) {
        if (why.contains("Is a directory")) {
            return Reason.IS_A_DIRECTORY;
        }
        if (why.contains("Not a directory")) {
            return Reason.NOT_A_DIRECTORY;
        }
        if (why.contains("Directory not empty")) {
            return Reason.DIRECTORY_NOT_EMPTY;
        }
        if (why.contains("Permission denied") || why.contains("Operation not permitted")) {
            return Reason.PERMISSION_DENIED;
        }
        return Reason.IO;
    }
}
