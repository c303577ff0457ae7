package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.exxec.FileOperationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Files into a container through the archive API (a tar stream), for exxec's own tools in a helper
 * container before any code runs: the API acts as root, so it never touches what the code can reach.
 */
public final class Archives {
    private Archives() {}

    /**
     * Writes files into a directory of the container, creating the parent directories that the names
     * hold (relative names, '/'-separated).
     *
     * @param directory an existing directory in the container
     * @param files name to content
     * @param uid owner of what is written
     * @param gid group of what is written
     * @param mode permissions of the files (directories get 0755)
     */
    public static void upload(
            DockerClient client,
            String container,
            String directory,
            Map<String, byte[]> files,
            int uid,
            int gid,
            int mode)
            throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            java.util.Set<String> dirs = new java.util.LinkedHashSet<>();
            for (String name : files.keySet()) {
                for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
                    dirs.add(name.substring(0, slash) + "/");
                }
            }
            for (String dir : dirs) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(040755);
                entry.setIds(uid, gid);
                out.putArchiveEntry(entry);
                out.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                entry.setMode(0100000 | mode);
                entry.setIds(uid, gid);
                out.putArchiveEntry(entry);
                out.write(file.getValue());
                out.closeArchiveEntry();
            }
        }
        try {
            client.copyArchiveToContainerCmd(container)
                    .withRemotePath(directory)
                    .withTarInputStream(new ByteArrayInputStream(tar.toByteArray()))
                    .exec();
        } catch (NotFoundException e) {
            throw new FileOperationException(
                    FileOperationException.Reason.NOT_FOUND,
                    directory,
                    "cannot write into " + directory + ": no such directory",
                    e);
        } catch (RuntimeException e) {
            throw new IOException(DockerConnection.rootMessage(e), e);
        }
    }
}
