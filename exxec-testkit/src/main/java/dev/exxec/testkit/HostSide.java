package dev.exxec.testkit;

import dev.exxec.Capabilities;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What the hostile area plants on, and looks for in, the file system of this JVM's own machine: the
 * caller's host, which hostile code must never reach.
 */
final class HostSide {
    /** Most directory entries looked at when searching the temporary directory for a workspace. */
    private static final int SEARCH_LIMIT = 20_000;

    private HostSide() {}

    /**
     * A file with a random secret in the host user's home directory, deleted on close.
     *
     * @param path where it is
     * @param value its content, found nowhere else
     */
    record PlantedSecret(Path path, String value) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            Files.deleteIfExists(path);
        }
    }

    /** The host user's home directory ({@code user.home}). */
    static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    /** Plants a new secret file in the host user's home; the caller closes it. */
    static PlantedSecret plantSecret() throws IOException {
        String id = UUID.randomUUID().toString();
        Path file = home().resolve(".exxec-kit-secret-" + id);
        String value = "exxec-kit-secret-value-" + UUID.randomUUID();
        Files.writeString(file, value, StandardCharsets.UTF_8);
        return new PlantedSecret(file, value);
    }

    /**
     * The directory of this machine that holds an environment's workspace, found by a marker file
     * written through {@code env.files()}: the workspace path itself (a provider without its own file
     * system view), or a directory up to two levels below {@code java.io.tmpdir} (a sandbox that
     * binds a host temporary directory at its own path). Empty when this machine does not hold it
     * (a container's or a remote file system) or the environment has no files.
     */
    static Optional<Path> locateWorkspace(ExecutionEnvironment env) {
        Capabilities caps = env.capabilities();
        if (!caps.files() || caps.location() != Location.LOCAL) {
            return Optional.empty();
        }
        String marker = ".exxec-kit-where-" + UUID.randomUUID();
        String content = UUID.randomUUID().toString();
        env.files().writeString(marker, content);
        try {
            List<Path> candidates = new ArrayList<>();
            Path declared = Path.of(env.files().workspace());
            if (declared.isAbsolute()) {
                candidates.add(declared);
            }
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            List<Path> children = children(tmp);
            candidates.addAll(children);
            for (Path child : children) {
                if (candidates.size() > SEARCH_LIMIT) {
                    break;
                }
                candidates.addAll(children(child));
            }
            for (Path candidate : candidates) {
                if (content.equals(readQuietly(candidate.resolve(marker)))) {
                    return Optional.of(candidate);
                }
            }
            return Optional.empty();
        } finally {
            env.files().delete(marker);
        }
    }

    private static List<Path> children(Path dir) {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return dirs;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(entry);
                }
                if (dirs.size() > SEARCH_LIMIT) {
                    break;
                }
            }
        } catch (IOException | SecurityException e) {
            // unreadable (another user's directory): it cannot be the workspace
        }
        return dirs;
    }

    private static @Nullable String readQuietly(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 1024) {
                return null;
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The size of a host file, or -1 when it is not there. */
    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Deletes a directory tree without following symbolic links; nothing when it is not there. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, @Nullable IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
