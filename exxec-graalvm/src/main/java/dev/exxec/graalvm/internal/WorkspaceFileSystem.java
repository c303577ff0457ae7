package dev.exxec.graalvm.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The file system a context sees when file access is configured: the host's, confined to the
 * environment's workspace. Every path is checked after resolving it, symbolic links included, so
 * neither {@code ..} nor a link the code made leads out; what lies outside is refused as access
 * denied. The languages' own files (GraalPy's standard library) stay readable.
 */
public final class WorkspaceFileSystem implements FileSystem {
    private final FileSystem host = FileSystem.newDefaultFileSystem();
    private final Path root;

    private WorkspaceFileSystem(Path root) {
        this.root = root;
    }

    /** The file system of a workspace, with read access to the languages' own files. */
    public static FileSystem of(Path workspace) throws IOException {
        FileSystem confined = new WorkspaceFileSystem(workspace.toRealPath());
        return FileSystem.allowInternalResourceAccess(FileSystem.allowLanguageHomeAccess(confined));
    }

    private Path check(Path path) throws IOException {
        Path absolute = host.toAbsolutePath(path).normalize();
        if (!absolute.startsWith(root)) {
            throw denied(path);
        }
        // The longest existing part, links resolved, must stay inside too.
        Path existing = absolute;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw denied(path);
        }
        Path real = Files.exists(existing)
                ? existing.toRealPath()
                : existing.getParent().toRealPath();
        if (!real.startsWith(root)) {
            throw denied(path);
        }
        return absolute;
    }

    private AccessDeniedException denied(Path path) {
        return new AccessDeniedException(
                path.toString(), null, "outside the workspace " + root + ": the graalvm provider confines files to it");
    }

    @Override
    public Path parsePath(URI uri) {
        return host.parsePath(uri);
    }

    @Override
    public Path parsePath(String path) {
        return host.parsePath(path);
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        host.checkAccess(check(path), modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        host.createDirectory(check(dir), attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        host.delete(check(path));
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return host.newByteChannel(check(path), options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return host.newDirectoryStream(check(dir), filter);
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return host.toAbsolutePath(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        return host.toRealPath(check(path), linkOptions);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return host.readAttributes(check(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        host.setAttribute(check(path), attribute, value, options);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        host.copy(check(source), check(target), options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        host.move(check(source), check(target), options);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        // The target is checked where it resolves: a link may only point inside.
        Path resolved = link.getParent() == null
                ? target
                : host.toAbsolutePath(link).getParent().resolve(target);
        check(resolved);
        host.createSymbolicLink(check(link), target, attrs);
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        host.createLink(check(link), check(existing));
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        return host.readSymbolicLink(check(link));
    }

    @Override
    public void setCurrentWorkingDirectory(Path currentWorkingDirectory) {
        host.setCurrentWorkingDirectory(currentWorkingDirectory);
    }

    @Override
    public Path getTempDirectory() {
        return root;
    }
}
