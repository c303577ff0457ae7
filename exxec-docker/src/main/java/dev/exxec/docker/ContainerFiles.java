package dev.exxec.docker;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import dev.exxec.WorkspaceFiles;
import dev.exxec.docker.internal.ContainerExec;
import dev.exxec.spi.HostWorkspaceFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Files of a container, every operation done by {@code files.sh} run as the code's own user: the
 * kernel grants the files API exactly what it grants the code. The archive API is not used: it acts
 * as root and resolves links in the container, so it would read or write, for the code, a file the
 * code may not touch behind a link or a directory the code swapped mid-operation.
 *
 * <p>Relative paths are the workspace's: one that leads out of it, by {@code ..} or through a
 * symbolic link the code made, is refused with {@code OUTSIDE_WORKSPACE}. Absolute paths are the
 * container's file system as the code sees it (never the host's), links followed as the code would.
 * Only regular files are read and written: a FIFO, a device or a socket is refused at once (a FIFO's
 * open would wait for its other end), and one swapped in under an operation is refused within 2 s.
 */
final class ContainerFiles implements WorkspaceFiles {
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);
    /** Reading or writing a large file takes longer than the other operations. */
    private static final Duration CONTENT_TIMEOUT = Duration.ofMinutes(5);
    /** The largest file read whole (an array's size). */
    private static final String WORKSPACE = ContainerEnvironment.WORKSPACE;

    private static final Path ROOT = Path.of(WORKSPACE);

    private final ContainerEnvironment env;

    ContainerFiles(ContainerEnvironment env) {
        this.env = env;
    }

    /**
     * A path as files.sh takes it: absolute and normalised, and whether it was given relative, so that
     * files.sh keeps it in the workspace once links are followed.
     */
    private record Target(String path, boolean confined) {}

    private Target target(String path) {
        env.ensureOpen();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path is empty");
        }
        Path lexical = ROOT.resolve(path).normalize();
        if (Path.of(path).isAbsolute()) {
            return new Target(lexical.toString(), false);
        }
        if (!lexical.startsWith(ROOT)) {
            throw outside(path, lexical.toString());
        }
        return new Target(lexical.toString(), true);
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
        return read(path, env.settings().readLimit());
    }

    @Override
    public byte[] read(String path, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        Target t = target(path);
        // The container sends at most one byte more than the read takes (head -c): a file of /proc
        // that says 0 bytes and never ends, or one the code grows meanwhile, costs this JVM no more.
        int asked = dev.exxec.internal.ConfinedTree.toRead(maxBytes);
        ContainerExec.Outcome out =
                run("read", path, null, asked, CONTENT_TIMEOUT, t, t.path(), Integer.toString(asked));
        if (out.stdoutCut() || out.stdout().length > maxBytes) {
            throw HostWorkspaceFiles.tooLarge(path, maxBytes);
        }
        return out.stdout();
    }

    @Override
    public void write(String path, byte[] content) {
        Target t = target(path);
        run("write", path, content, 4096, CONTENT_TIMEOUT, t, t.path());
    }

    @Override
    public List<FileEntry> list(String path) {
        Target t = target(path);
        String p = t.path();
        byte[] out = run("list", path, t, p);
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
        Target t = target(path);
        String record = new String(run("stat", path, t, t.path()), StandardCharsets.UTF_8);
        FileEntry found = entry(record.endsWith("\0") ? record.substring(0, record.length() - 1) : record, "/");
        Path lexical = Path.of(t.path());
        String name =
                lexical.getFileName() == null ? "/" : lexical.getFileName().toString();
        return new FileEntry(lexical.toString(), name, found.type(), found.size(), found.modified());
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
        Target t = target(path);
        try {
            run("stat", path, t, t.path());
            return true;
        } catch (FileOperationException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void mkdir(String path) {
        Target t = target(path);
        run("mkdir", path, t, t.path());
    }

    @Override
    public void move(String from, String to) {
        Target source = target(from);
        Target destination = target(to);
        // Confined when either was given relative: a relative path never leads out of the workspace.
        run(
                "move",
                from,
                new Target(source.path(), source.confined() || destination.confined()),
                source.path(),
                destination.path());
    }

    @Override
    public void delete(String path) {
        Target t = target(path);
        if (t.path().equals(WORKSPACE)) {
            throw new FileOperationException(
                    Reason.PERMISSION_DENIED, path, "the workspace itself cannot be deleted; delete what is in it");
        }
        run("delete", path, t, t.path());
    }

    private byte[] run(String operation, String given, Target target, String... paths) {
        return run(operation, given, null, ContainerEnvironment.HELPER_OUTPUT, HELPER_TIMEOUT, target, paths)
                .stdout();
    }

    /** Runs files.sh as the code's user and turns its exit code into the fitting failure. */
    private ContainerExec.Outcome run(
            String operation,
            String given,
            byte @Nullable [] input,
            int outputLimit,
            Duration timeout,
            Target target,
            String... paths) {
        List<String> command = new ArrayList<>(List.of(
                "/bin/sh",
                ContainerEnvironment.TOOLS + "/files.sh",
                operation,
                WORKSPACE,
                target.confined() ? "1" : "0"));
        command.addAll(List.of(paths));
        ContainerExec.Outcome h = env.helper(command, env.config().user(), input, outputLimit, timeout);
        String where = paths[0];
        String message = h.stderr().trim();
        return switch (h.exitCode()) {
            case 0 -> h;
            case 12 ->
                throw new FileOperationException(
                        Reason.NOT_FOUND, given, "cannot " + operation + " " + where + ": no such file or directory");
            case 13 ->
                throw new FileOperationException(
                        Reason.NOT_A_DIRECTORY, given, "cannot " + operation + " " + where + ": not a directory");
            case 15 ->
                throw outside(
                        given,
                        message.contains(" leads to ")
                                ? message.substring(message.lastIndexOf(" leads to ") + 10)
                                : where);
            case 16 ->
                throw new FileOperationException(
                        Reason.IS_A_DIRECTORY, given, "cannot " + operation + " " + where + ": it is a directory");
            case 17 ->
                throw new FileOperationException(
                        Reason.IO,
                        given,
                        "cannot " + operation + " " + where
                                + ": not a regular file (a FIFO, a device or a socket), which the files API never opens");
            case 128 + 14 ->
                throw new FileOperationException(
                        Reason.IO,
                        given,
                        "cannot " + operation + " " + where
                                + ": opening it did not finish in 2 s (it became a FIFO or a device meanwhile?); refused");
            default -> {
                Reason reason = message.contains("ermission denied") || message.contains("Read-only")
                        ? Reason.PERMISSION_DENIED
                        : message.contains("No such file")
                                ? Reason.NOT_FOUND
                                : message.contains("Not a directory") ? Reason.NOT_A_DIRECTORY : Reason.IO;
                throw new FileOperationException(
                        reason,
                        given,
                        "cannot " + operation + " " + where + ": " + (message.isEmpty() ? "failed" : message));
            }
        };
    }
}
