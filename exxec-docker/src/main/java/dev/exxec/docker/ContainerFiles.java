package dev.exxec.docker;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import dev.exxec.WorkspaceFiles;
import dev.exxec.docker.internal.Archives;
import dev.exxec.docker.internal.PathStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Files of a container: contents through the archive API, the type and size of a path from the
 * archive API's stat, everything else through {@code files.sh} run as the code's user (so that what
 * the code may not touch, the files API may not either).
 *
 * <p>Relative paths are the workspace's: one that leads out of it, by {@code ..} or through a
 * symbolic link the code made, is refused with {@code OUTSIDE_WORKSPACE}. Absolute paths are the
 * container's file system as the code sees it (never the host's), links followed as the code would.
 */
final class ContainerFiles implements WorkspaceFiles {
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);
    private static final String WORKSPACE = ContainerEnvironment.WORKSPACE;
    private static final Path ROOT = Path.of(WORKSPACE);

    private final ContainerEnvironment env;

    ContainerFiles(ContainerEnvironment env) {
        this.env = env;
    }

    /**
     * Where an operation acts in the container: the path normalised, and for a relative one every
     * symbolic link on the way resolved and checked to stay in the workspace.
     *
     * @param followLast whether the operation follows a final symbolic link (reading, writing, listing
     *     and making a directory do; stat, exists, delete and move act on the link itself)
     */
    private String resolve(String path, boolean followLast) {
        env.ensureOpen();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        Path lexical = ROOT.resolve(path).normalize();
        if (Path.of(path).isAbsolute()) {
            return lexical.toString();
        }
        if (!lexical.startsWith(ROOT)) {
            throw outside(path, lexical.toString());
        }
        Path resolved = ROOT;
        Path rest = ROOT.relativize(lexical);
        int names = rest.toString().isEmpty() ? 0 : rest.getNameCount();
        for (int i = 0; i < names; i++) {
            Path next = resolved.resolve(rest.getName(i).toString());
            if (i == names - 1 && !followLast) {
                return next.toString();
            }
            Optional<PathStat> stat = stat(path, next.toString());
            if (stat.isEmpty()) {
                // Nothing there, so no link further on: the rest is made or not found as it is.
                return (i + 1 < names ? next.resolve(rest.subpath(i + 1, names)) : next).toString();
            }
            if (stat.get().isSymbolicLink()) {
                Path target = Path.of(stat.get().linkTarget()).normalize();
                if (!target.startsWith(ROOT)) {
                    throw outside(path, target.toString());
                }
                resolved = target;
            } else {
                resolved = next;
            }
        }
        return resolved.toString();
    }

    private Optional<PathStat> stat(String given, String path) {
        try {
            return env.docker().stat(env.containerId(), path);
        } catch (IOException e) {
            throw new FileOperationException(Reason.IO, given, "cannot look at " + path + ": " + e.getMessage(), e);
        }
    }

    private static FileOperationException outside(String given, String where) {
        return new FileOperationException(
                Reason.OUTSIDE_WORKSPACE,
                given,
                given + " leads to " + where + ", outside the workspace " + WORKSPACE
                        + ": a relative path stays in the workspace (an absolute one reaches the container's files)");
    }

    @Override
    public String workspace() {
        env.ensureOpen();
        return WORKSPACE;
    }

    @Override
    public byte[] read(String path) {
        String p = resolve(path, true);
        try {
            return Archives.read(env.client(), env.containerId(), p, Integer.MAX_VALUE - 16);
        } catch (IOException e) {
            throw new FileOperationException(Reason.IO, path, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String path, byte[] content) {
        String p = resolve(path, true);
        Path target = Path.of(p);
        // Into the workspace volume with the parents as archive entries, so they are made too;
        // elsewhere into the existing parent directory.
        String directory = p.startsWith(WORKSPACE + "/") ? WORKSPACE : String.valueOf(target.getParent());
        String name = p.startsWith(WORKSPACE + "/")
                ? ROOT.relativize(target).toString()
                : String.valueOf(target.getFileName());
        try {
            Archives.upload(
                    env.client(), env.containerId(), directory, Map.of(name, content), env.uid(), env.gid(), 0644);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            Reason reason = message.contains("read-only")
                    ? Reason.PERMISSION_DENIED
                    : message.contains("directory") ? Reason.IS_A_DIRECTORY : Reason.IO;
            throw new FileOperationException(reason, path, "cannot write " + p + ": " + message, e);
        }
    }

    @Override
    public List<FileEntry> list(String path) {
        String p = resolve(path, true);
        byte[] out = run("list", path, p);
        List<FileEntry> entries = new ArrayList<>();
        for (String record : new String(out, StandardCharsets.UTF_8).split("\0")) {
            if (!record.isEmpty()) {
                entries.add(entry(record, p));
            }
        }
        entries.sort(Comparator.comparing(FileEntry::name));
        return entries;
    }

    @Override
    public FileEntry stat(String path) {
        String p = resolve(path, false);
        PathStat stat = stat(path, p)
                .orElseThrow(() -> new FileOperationException(
                        Reason.NOT_FOUND, path, "cannot stat " + p + ": no such file or directory"));
        FileEntry.Type type = stat.isSymbolicLink()
                ? FileEntry.Type.SYMLINK
                : stat.isDirectory()
                        ? FileEntry.Type.DIRECTORY
                        : stat.isRegularFile() ? FileEntry.Type.FILE : FileEntry.Type.OTHER;
        Path lexical = ROOT.resolve(path).normalize();
        String name =
                lexical.getFileName() == null ? "/" : lexical.getFileName().toString();
        return new FileEntry(lexical.toString(), name, type, stat.size(), stat.modified());
    }

    /** Parses "TYPE SIZE MTIME NAME" of an entry of {@code directory}. */
    private static FileEntry entry(String record, String directory) {
        String[] f = record.split(" ", 4);
        FileEntry.Type type = switch (f[0]) {
            case "f" -> FileEntry.Type.FILE;
            case "d" -> FileEntry.Type.DIRECTORY;
            case "l" -> FileEntry.Type.SYMLINK;
            default -> FileEntry.Type.OTHER;
        };
        String name = f.length > 3 ? f[3] : "";
        long size = f.length > 1 ? parse(f[1]) : 0;
        long mtime = f.length > 2 ? parse(f[2]) : 0;
        return new FileEntry(
                Path.of(directory).resolve(name).toString(), name, type, size, Instant.ofEpochSecond(mtime));
    }

    private static long parse(String number) {
        try {
            return Long.parseLong(number.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public boolean exists(String path) {
        String p = resolve(path, false);
        return stat(path, p).isPresent();
    }

    @Override
    public void mkdir(String path) {
        String p = resolve(path, true);
        run("mkdir", path, p);
    }

    @Override
    public void move(String from, String to) {
        String source = resolve(from, false);
        String target = resolve(to, false);
        run("move", from, source, target);
    }

    @Override
    public void delete(String path) {
        String p = resolve(path, false);
        if (p.equals(WORKSPACE)) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED, path, "the workspace itself cannot be deleted; delete what is in it");
        }
        run("delete", path, p);
    }

    private ContainerEnvironment.Helper helper(String operation, String... paths) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", ContainerEnvironment.TOOLS + "/files.sh", operation));
        command.addAll(List.of(paths));
        return env.helper(command, env.config().user(), HELPER_TIMEOUT);
    }

    /** Runs files.sh and turns its exit code into the fitting failure. */
    private byte[] run(String operation, String given, String... paths) {
        env.ensureOpen();
        ContainerEnvironment.Helper h = helper(operation, paths);
        String where = paths[0];
        return switch (h.exitCode()) {
            case 0 -> h.stdout();
            case 2 ->
                throw new FileOperationException(
                        Reason.NOT_FOUND, given, "cannot " + operation + " " + where + ": no such file or directory");
            case 3 ->
                throw new FileOperationException(
                        Reason.NOT_A_DIRECTORY, given, "cannot " + operation + " " + where + ": not a directory");
            default -> {
                String message = h.stderr().trim();
                Reason reason = message.contains("ermission denied") || message.contains("Read-only")
                        ? Reason.PERMISSION_DENIED
                        : Reason.IO;
                throw new FileOperationException(
                        reason,
                        given,
                        "cannot " + operation + " " + where + ": " + (message.isEmpty() ? "failed" : message));
            }
        };
    }
}
