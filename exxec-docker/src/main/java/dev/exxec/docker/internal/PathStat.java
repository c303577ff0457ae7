package dev.exxec.docker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A path in a container as Docker's archive API reports it ({@code X-Docker-Container-Path-Stat}).
 *
 * @param name the last component
 * @param size the size in bytes (of the link itself for a symbolic link)
 * @param mode the mode bits as Go's {@code os.FileMode} encodes them
 * @param modified the modification time
 * @param linkTarget for a symbolic link, where it leads, every link on the way resolved in the
 *     container; empty otherwise
 */
public record PathStat(String name, long size, long mode, Instant modified, String linkTarget) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long DIRECTORY = 1L << 31;
    private static final long SYMLINK = 1L << 27;
    /** Go's type bits: directory, append-only excluded, ..., device, named pipe, socket, char device, irregular. */
    private static final long TYPE_BITS =
            DIRECTORY | SYMLINK | (1L << 26) | (1L << 25) | (1L << 24) | (1L << 21) | (1L << 19);

    /** Decodes the header's value: base64 of a JSON object. */
    static PathStat parse(String header) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(new String(Base64.getDecoder().decode(header.trim()), StandardCharsets.UTF_8));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException("the Docker daemon's path stat is not readable: " + header, e);
        }
        Instant modified;
        try {
            modified = Instant.parse(json.path("mtime").asString());
        } catch (RuntimeException e) {
            modified = Instant.EPOCH;
        }
        return new PathStat(
                json.path("name").asString(""),
                json.path("size").asLong(),
                json.path("mode").asLong(),
                modified,
                json.path("linkTarget").asString(""));
    }

    public boolean isDirectory() {
        return (mode & DIRECTORY) != 0;
    }

    public boolean isSymbolicLink() {
        return (mode & SYMLINK) != 0;
    }

    public boolean isRegularFile() {
        return (mode & TYPE_BITS) == 0;
    }
}
