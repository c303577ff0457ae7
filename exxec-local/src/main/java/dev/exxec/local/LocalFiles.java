package dev.exxec.local;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import dev.exxec.WorkspaceFiles;
import dev.exxec.local.internal.Interpreters;
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
 * Files of a local environment: the host's file system, relative paths against the workspace. The
 * local provider has no isolation, so absolute paths reach the whole host, as the code itself can.
 */
final class LocalFiles implements WorkspaceFiles {
    private final LocalEnvironment env;

    LocalFiles(LocalEnvironment env) {
        this.env = env;
    }

    private Path resolve(String path) {
        env.ensureOpen();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        return env.workspace().resolve(path).normalize();
    }

    @Override
    public String workspace() {
        env.ensureOpen();
        return env.workspace().toString();
    }

    @Override
    public byte[] read(String path) {
        Path p = resolve(path);
        try {
            if (Files.isDirectory(p)) {
                throw new FileOperationException(
                        Reason.IS_A_DIRECTORY, path, "cannot read " + p + ": it is a directory");
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
                        Reason.IS_A_DIRECTORY, path, "cannot write " + p + ": it is a directory");
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
        return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
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
        Path p = resolve(path);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileOperationException(
                    Reason.NOT_FOUND, path, "cannot delete " + p + ": no such file or directory");
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Interpreters.deleteTree(p);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileOperationException(Reason.PERMISSION_DENIED, path, "could not delete all of " + p);
            }
            return;
        }
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw failure("delete", path, p, e);
        }
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
