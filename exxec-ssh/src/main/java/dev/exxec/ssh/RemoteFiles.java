package dev.exxec.ssh;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import dev.exxec.WorkspaceFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * Files of a remote environment over SFTP, with the login user's rights.
 *
 * <p>Relative paths are the workspace's: one that leads out of it, by {@code ..} or through a
 * symbolic link the code made, is refused with {@code OUTSIDE_WORKSPACE}. Absolute paths are the
 * host's file system as the code sees it, links followed as the code would. The code runs as the same
 * remote user, so these checks keep paths where the caller meant them, not a privilege from the code.
 * Only regular files are read and written: a FIFO, socket or device is refused after a look at it.
 */
final class RemoteFiles implements WorkspaceFiles {
    private final RemoteEnvironment env;
    private final Path root;

    RemoteFiles(RemoteEnvironment env) {
        this.env = env;
        this.root = Path.of(env.workspace());
    }

    private SftpClient sftp(String given) {
        env.ensureOpen();
        try {
            return env.link().sftp();
        } catch (IOException e) {
            throw new FileOperationException(Reason.IO, given, "no SFTP channel: " + e.getMessage(), e);
        }
    }

    /**
     * Where an operation acts on the host: the path normalised, and for a relative one every symbolic
     * link on the way resolved and checked to stay in the workspace.
     *
     * @param followLast whether the operation follows a final symbolic link
     */
    private String resolve(SftpClient sftp, String path, boolean followLast) {
        return resolve(sftp, path, path, followLast, 0);
    }

    private String resolve(SftpClient sftp, String given, String path, boolean followLast, int links) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        Path lexical = root.resolve(path).normalize();
        if (Path.of(path).isAbsolute()) {
            return lexical.toString();
        }
        if (!lexical.startsWith(root)) {
            throw outside(given, lexical.toString());
        }
        Path resolved = root;
        Path rest = root.relativize(lexical);
        int names = rest.toString().isEmpty() ? 0 : rest.getNameCount();
        for (int i = 0; i < names; i++) {
            Path next = resolved.resolve(rest.getName(i).toString());
            if (i == names - 1 && !followLast) {
                return next.toString();
            }
            Optional<Attributes> stat = lstat(sftp, given, next.toString());
            if (stat.isEmpty()) {
                // Nothing there, so no link further on: the rest is made or not found as it is.
                return (i + 1 < names ? next.resolve(rest.subpath(i + 1, names)) : next).toString();
            }
            if (stat.get().isSymbolicLink()) {
                if (links >= 40) {
                    throw new FileOperationException(Reason.IO, given, "too many symbolic links in " + given);
                }
                String target;
                try {
                    target = sftp.readLink(next.toString());
                } catch (IOException e) {
                    throw failure(given, "read the link", next.toString(), e);
                }
                Path to = next.getParent().resolve(target).normalize();
                if (!to.startsWith(root)) {
                    throw outside(given, to.toString());
                }
                // The target may hold links too: walk it again, component by component.
                Path remaining = i + 1 < names ? to.resolve(rest.subpath(i + 1, names)) : to;
                String relative = root.relativize(remaining).toString();
                return resolve(sftp, given, relative.isEmpty() ? "." : relative, followLast, links + 1);
            }
            resolved = next;
        }
        return resolved.toString();
    }

    private static Optional<Attributes> lstat(SftpClient sftp, String given, String path) {
        try {
            return Optional.of(sftp.lstat(path));
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE
                    || e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_PATH) {
                return Optional.empty();
            }
            throw failure(given, "look at", path, e);
        } catch (IOException e) {
            throw failure(given, "look at", path, e);
        }
    }

    private FileOperationException outside(String given, String where) {
        return new FileOperationException(
                Reason.OUTSIDE_WORKSPACE,
                given,
                given + " leads to " + where + ", outside the workspace " + root
                        + ": a relative path stays in the workspace (an absolute one reaches the host's files)");
    }

    private static FileOperationException failure(String given, String operation, String path, IOException e) {
        Reason reason = Reason.IO;
        String why = String.valueOf(e.getMessage());
        if (e instanceof SftpException s) {
            switch (s.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH -> {
                    reason = Reason.NOT_FOUND;
                    why = "no such file or directory";
                }
                case SftpConstants.SSH_FX_PERMISSION_DENIED -> {
                    reason = Reason.PERMISSION_DENIED;
                    why = "permission denied";
                }
                case SftpConstants.SSH_FX_FILE_ALREADY_EXISTS -> reason = Reason.ALREADY_EXISTS;
                case SftpConstants.SSH_FX_NOT_A_DIRECTORY -> reason = Reason.NOT_A_DIRECTORY;
                case SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY -> reason = Reason.IS_A_DIRECTORY;
                case SftpConstants.SSH_FX_DIR_NOT_EMPTY -> reason = Reason.DIRECTORY_NOT_EMPTY;
                default -> {
                    // IO
                }
            }
        }
        return new FileOperationException(reason, given, "cannot " + operation + " " + path + ": " + why, e);
    }

    @Override
    public String workspace() {
        env.ensureOpen();
        return root.toString();
    }

    @Override
    public byte[] read(String path) {
        return read(path, env.settings().readLimit());
    }

    @Override
    public byte[] read(String path, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, true);
        Attributes stat = existing(sftp, path, p, "read");
        if (stat.isDirectory()) {
            throw new FileOperationException(Reason.IS_A_DIRECTORY, path, "cannot read " + p + ": it is a directory");
        }
        if (!stat.isRegularFile()) {
            // The server's open of a FIFO would wait for a writer, and every later request behind it.
            throw special("read", path, p);
        }
        byte[] content;
        try (InputStream in = sftp.read(p)) {
            // One byte more than the read takes, to tell a larger file: never the rest of it.
            content = in.readNBytes(dev.exxec.internal.ConfinedTree.toRead(maxBytes));
        } catch (IOException e) {
            throw failure(path, "read", p, unstuck(sftp, e));
        }
        if (content.length > maxBytes) {
            throw dev.exxec.spi.HostWorkspaceFiles.tooLarge(path, maxBytes);
        }
        return content;
    }

    private static FileOperationException special(String operation, String given, String path) {
        return new FileOperationException(
                Reason.IO,
                given,
                "cannot " + operation + " " + path
                        + ": it is not a regular file (a FIFO, socket or device); files() reads and writes regular"
                        + " files only");
    }

    /**
     * A failure that is not the server's answer (MINA gives up on a request after its command timeout,
     * 30 s by default) may leave the server's one request loop blocked: when the code swapped a FIFO in
     * after the look, the server waits in its open for a writer. Requests queue behind it, so the
     * channel is closed, and the next call opens a new one.
     */
    private static IOException unstuck(SftpClient sftp, IOException e) {
        if (!(e instanceof SftpException)) {
            try {
                sftp.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
        }
        return e;
    }

    private static Attributes existing(SftpClient sftp, String given, String path, String operation) {
        try {
            return sftp.stat(path);
        } catch (IOException e) {
            throw failure(given, operation, path, e);
        }
    }

    @Override
    public void write(String path, byte[] content) {
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, true);
        Optional<Attributes> stat = lstat(sftp, path, p);
        if (stat.isPresent() && stat.get().isDirectory()) {
            throw new FileOperationException(Reason.IS_A_DIRECTORY, path, "cannot write " + p + ": it is a directory");
        }
        if (stat.isPresent() && !stat.get().isRegularFile() && !stat.get().isSymbolicLink()) {
            throw special("write", path, p);
        }
        Path parent = Path.of(p).getParent();
        if (parent != null) {
            mkdirs(sftp, path, parent);
        }
        try {
            RemoteEnvironment.upload(sftp, p, content);
        } catch (IOException e) {
            throw failure(path, "write", p, unstuck(sftp, e));
        }
    }

    /** Makes a directory and its missing parents. */
    private static void mkdirs(SftpClient sftp, String given, Path directory) {
        Optional<Attributes> stat;
        try {
            stat = Optional.of(sftp.stat(directory.toString()));
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE
                    && e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_PATH) {
                throw failure(given, "look at", directory.toString(), e);
            }
            stat = Optional.empty();
        } catch (IOException e) {
            throw failure(given, "look at", directory.toString(), e);
        }
        if (stat.isPresent()) {
            if (!stat.get().isDirectory()) {
                throw new FileOperationException(
                        Reason.NOT_A_DIRECTORY, given, "cannot make " + directory + ": a file is in the way");
            }
            return;
        }
        if (directory.getParent() != null) {
            mkdirs(sftp, given, directory.getParent());
        }
        try {
            sftp.mkdir(directory.toString());
        } catch (IOException e) {
            // Another call may have made it meanwhile.
            try {
                if (sftp.stat(directory.toString()).isDirectory()) {
                    return;
                }
            } catch (IOException again) {
                // it is not there: the first failure says why
            }
            throw failure(given, "make the directory", directory.toString(), e);
        }
    }

    @Override
    public List<FileEntry> list(String path) {
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, true);
        Attributes stat = existing(sftp, path, p, "list");
        if (!stat.isDirectory()) {
            throw new FileOperationException(Reason.NOT_A_DIRECTORY, path, "cannot list " + p + ": not a directory");
        }
        List<FileEntry> entries = new ArrayList<>();
        try {
            for (SftpClient.DirEntry e : sftp.readDir(p)) {
                String name = e.getFilename();
                if (name.equals(".") || name.equals("..")) {
                    continue;
                }
                entries.add(entry(Path.of(p).resolve(name).toString(), name, e.getAttributes()));
            }
        } catch (IOException e) {
            throw failure(path, "list", p, e);
        }
        entries.sort(Comparator.comparing(FileEntry::name));
        return entries;
    }

    private static FileEntry entry(String path, String name, Attributes a) {
        FileEntry.Type type = a.isSymbolicLink()
                ? FileEntry.Type.SYMLINK
                : a.isDirectory()
                        ? FileEntry.Type.DIRECTORY
                        : a.isRegularFile() ? FileEntry.Type.FILE : FileEntry.Type.OTHER;
        Instant modified =
                a.getModifyTime() == null ? Instant.EPOCH : a.getModifyTime().toInstant();
        return new FileEntry(path, name, type, a.getSize(), modified);
    }

    @Override
    public FileEntry stat(String path) {
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, false);
        Attributes a = lstat(sftp, path, p)
                .orElseThrow(() -> new FileOperationException(
                        Reason.NOT_FOUND, path, "cannot stat " + p + ": no such file or directory"));
        Path lexical = root.resolve(path).normalize();
        String name =
                lexical.getFileName() == null ? "/" : lexical.getFileName().toString();
        return entry(lexical.toString(), name, a);
    }

    @Override
    public boolean exists(String path) {
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, false);
        return lstat(sftp, path, p).isPresent();
    }

    @Override
    public void mkdir(String path) {
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, true);
        mkdirs(sftp, path, Path.of(p));
    }

    @Override
    public void move(String from, String to) {
        SftpClient sftp = sftp(from);
        String source = resolve(sftp, from, false);
        String target = resolve(sftp, to, false);
        if (lstat(sftp, from, source).isEmpty()) {
            throw new FileOperationException(
                    Reason.NOT_FOUND, from, "cannot move " + source + ": no such file or directory");
        }
        Path parent = Path.of(target).getParent();
        if (parent != null) {
            mkdirs(sftp, to, parent);
        }
        try {
            OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
            if (posix != null && posix.isSupported()) {
                posix.posixRename(source, target); // replaces the target at once, as rename(2)
                return;
            }
            Optional<Attributes> there = lstat(sftp, to, target);
            if (there.isPresent() && !there.get().isDirectory()) {
                sftp.remove(target);
            }
            sftp.rename(source, target);
        } catch (IOException e) {
            throw failure(from, "move", source + " to " + target, e);
        }
    }

    @Override
    public void delete(String path) {
        SftpClient sftp = sftp(path);
        String p = resolve(sftp, path, false);
        if (p.equals(root.toString())) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED, path, "the workspace itself cannot be deleted; delete what is in it");
        }
        Attributes a = lstat(sftp, path, p)
                .orElseThrow(() -> new FileOperationException(
                        Reason.NOT_FOUND, path, "cannot delete " + p + ": no such file or directory"));
        deleteTree(sftp, path, p, a);
    }

    private static void deleteTree(SftpClient sftp, String given, String path, Attributes a) {
        try {
            if (a.isDirectory() && !a.isSymbolicLink()) {
                for (SftpClient.DirEntry e : sftp.readDir(path)) {
                    String name = e.getFilename();
                    if (!name.equals(".") && !name.equals("..")) {
                        deleteTree(sftp, given, path + "/" + name, e.getAttributes());
                    }
                }
                sftp.rmdir(path);
            } else {
                sftp.remove(path);
            }
        } catch (IOException e) {
            throw failure(given, "delete", path, e);
        }
    }
}
