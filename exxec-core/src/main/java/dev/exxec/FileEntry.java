package dev.exxec;

import java.time.Instant;
import java.util.Objects;

/**
 * One file system entry in an environment.
 *
 * @param path absolute path inside the environment
 * @param name last path element
 * @param type what kind of entry it is (a symbolic link is reported as a link, not followed)
 * @param size size in bytes (0 for directories where the environment does not say)
 * @param modified last modification time
 */
public record FileEntry(String path, String name, Type type, long size, Instant modified) {

    /** Kinds of entries. */
    public enum Type {
        FILE,
        DIRECTORY,
        SYMLINK,
        OTHER
    }

    public FileEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(modified, "modified");
    }

    /** Whether this is a directory. */
    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }

    /** Whether this is a regular file. */
    public boolean isFile() {
        return type == Type.FILE;
    }
}
