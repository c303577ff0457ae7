package dev.exxec;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Files in an environment's file system. Relative paths resolve against the environment's workspace
 * (its default working directory); the code the environment runs sees the same files.
 *
 * <p>Thread-safe. Failures throw {@link FileOperationException} with a {@link
 * FileOperationException.Reason}; calls on a closed environment throw {@link IllegalStateException}.
 */
public interface WorkspaceFiles {

    /** The absolute path of the workspace inside the environment. */
    String workspace();

    /**
     * The whole content of a file, at most the environment's read limit (config key {@code
     * readLimit}, 64 MiB by default): a file that holds more is refused with {@code TOO_LARGE}.
     */
    byte[] read(String path);

    /**
     * The whole content of a file that holds at most {@code maxBytes} bytes; a larger one is refused
     * with {@code TOO_LARGE}. This JVM never takes more than {@code maxBytes + 1} bytes of it, whatever
     * the file is or becomes meanwhile (a file the code swaps or grows while it is read, one of {@code
     * /proc} whose size says 0).
     */
    byte[] read(String path, long maxBytes);

    /** The whole content of a file as UTF-8 text (invalid bytes replaced by U+FFFD); see {@link #read(String)}. */
    default String readString(String path) {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    /** Writes a file, replacing it if it exists and creating missing parent directories. */
    void write(String path, byte[] content);

    /** Writes a file as UTF-8 text, replacing it if it exists and creating missing parent directories. */
    default void writeString(String path, String content) {
        write(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** The entries of a directory, sorted by name. */
    List<FileEntry> list(String path);

    /** The entry at a path, without following a final symbolic link. */
    FileEntry stat(String path);

    /**
     * Whether something exists at a path (a dangling symbolic link counts). Where that cannot be told
     * (a directory on the way that the environment's user may not search), it fails with {@link
     * FileOperationException.Reason#PERMISSION_DENIED}: never a false "no".
     */
    boolean exists(String path);

    /** Creates a directory and any missing parents; does nothing when it already exists. */
    void mkdir(String path);

    /** Moves or renames an entry, replacing an existing file at the target. */
    void move(String from, String to);

    /** Deletes a file, or a directory with everything in it; throws NOT_FOUND when nothing is there. */
    void delete(String path);
}
