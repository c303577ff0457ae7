package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.FileOperationException.Reason;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race-free walk against a real file system: the root is seen as {@code /workspace}, a host
 * directory and a host secret lie next to it, and a thread of the test plays the hostile code.
 */
class ConfinedTreeTest {
    @TempDir
    Path base;

    Path root;
    Path outside;
    Path secret;
    ConfinedTree tree;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(base.resolve("workspace"));
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("canary.txt"), "host canary");
        secret = Files.writeString(base.resolve("secret.txt"), "host secret");
        tree = new ConfinedTree(root, "/workspace", "a test's", -1, -1);
    }

    private static void assertRefused(Reason reason, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        FileOperationException.class,
                        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    /** The host side next to the root, as it was set up: nothing added, changed or removed. */
    private void assertHostUnchanged() throws IOException {
        assertThat(Files.readString(secret)).isEqualTo("host secret");
        try (var entries = Files.list(outside)) {
            assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("canary.txt");
        }
        assertThat(Files.readString(outside.resolve("canary.txt"))).isEqualTo("host canary");
        try (var entries = Files.list(base)) {
            assertThat(entries.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("no staging directory is left behind")
                    .containsExactly("outside", "secret.txt", "workspace");
        }
    }

    @Test
    void filesInsideWorkAsTheContractSays() throws IOException {
        tree.write("a/b/c.txt", "first, longer".getBytes(StandardCharsets.UTF_8));
        tree.write("/workspace/a/b/c.txt", "second".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(root.resolve("a/b/c.txt"))).isEqualTo("second");
        assertThat(tree.read("a/./x/../b/c.txt", Long.MAX_VALUE))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("second");
        tree.mkdir("a/d/e");
        tree.mkdir("a/d/e");
        assertThat(tree.list("a")).extracting(FileEntry::name).containsExactly("b", "d");
        assertThat(tree.list("a").getFirst().path()).isEqualTo("/workspace/a/b");
        FileEntry file = tree.stat("a/b/c.txt");
        assertThat(file.type()).isEqualTo(FileEntry.Type.FILE);
        assertThat(file.size()).isEqualTo(6);
        assertThat(tree.stat("/workspace").type()).isEqualTo(FileEntry.Type.DIRECTORY);
        assertThat(tree.stat(".").name()).isEqualTo("workspace");
        assertThat(tree.exists("a/b/c.txt")).isTrue();
        assertThat(tree.exists("a/b/c.txt/deeper")).isFalse();
        assertThat(tree.exists("missing/x")).isFalse();
        tree.move("a/b/c.txt", "moved/here.txt");
        assertThat(tree.read("moved/here.txt", Long.MAX_VALUE))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("second");
        tree.delete("a");
        assertThat(tree.exists("a")).isFalse();
        assertRefused(Reason.NOT_FOUND, () -> tree.read("a/b/c.txt", Long.MAX_VALUE));
        assertRefused(Reason.NOT_FOUND, () -> tree.delete("a"));
        assertRefused(Reason.NOT_FOUND, () -> tree.list("a"));
        assertRefused(Reason.IS_A_DIRECTORY, () -> tree.read("moved", Long.MAX_VALUE));
        assertRefused(Reason.IS_A_DIRECTORY, () -> tree.write("moved", new byte[0]));
        assertRefused(Reason.NOT_A_DIRECTORY, () -> tree.list("moved/here.txt"));
        assertRefused(Reason.ALREADY_EXISTS, () -> tree.mkdir("moved/here.txt"));
        assertRefused(Reason.PERMISSION_DENIED, () -> tree.delete("/workspace"));
        assertThat(tree.isDirectory("moved")).isTrue();
        assertThat(tree.isDirectory("moved/here.txt")).isFalse();
        assertHostUnchanged();
    }

    @Test
    void pathsOutsideAreRefusedBeforeAnyLook() throws IOException {
        assertRefused(Reason.OUTSIDE_WORKSPACE, () -> tree.read("../secret.txt", Long.MAX_VALUE));
        assertRefused(Reason.OUTSIDE_WORKSPACE, () -> tree.write("../new.txt", new byte[0]));
        assertRefused(Reason.OUTSIDE_WORKSPACE, () -> tree.mkdir("/workspace/../outside/sub"));
        assertRefused(Reason.OUTSIDE_WORKSPACE, () -> tree.read(secret.toString(), Long.MAX_VALUE));
        assertRefused(Reason.OUTSIDE_WORKSPACE, () -> tree.exists("/etc/passwd"));
        assertThatThrownBy(() -> tree.read("", Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertHostUnchanged();
    }

    @Test
    void linksOutAreRefusedAndNeverFollowed() throws IOException {
        Files.createSymbolicLink(root.resolve("secret"), secret);
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("chain"), Path.of("up/outside"));
        for (ThrowingCallable call : List.<ThrowingCallable>of(
                () -> tree.read("secret", Long.MAX_VALUE),
                () -> tree.write("secret", "overwritten".getBytes(StandardCharsets.UTF_8)),
                () -> tree.read("out/canary.txt", Long.MAX_VALUE),
                () -> tree.list("out"),
                () -> tree.write("out/new.txt", new byte[1]),
                () -> tree.mkdir("out/sub"),
                () -> tree.move("out/canary.txt", "stolen.txt"),
                () -> tree.delete("out/canary.txt"),
                () -> tree.list("up"),
                () -> tree.read("passwd", Long.MAX_VALUE),
                () -> tree.list("chain"),
                () -> tree.isDirectory("out"))) {
            assertThatThrownBy(call).isInstanceOfSatisfying(FileOperationException.class, e -> {
                assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.OUTSIDE_WORKSPACE);
                assertThat(e.getMessage()).doesNotContain(outside.toString(), secret.toString());
            });
        }
        assertThat(tree.stat("secret").type()).as("stat does not follow").isEqualTo(FileEntry.Type.SYMLINK);
        assertThat(tree.exists("out")).isTrue();
        tree.delete("out");
        tree.delete("secret");
        assertThat(tree.exists("out")).isFalse();
        assertHostUnchanged();
    }

    @Test
    void linksInsideAreResolvedInTheWorkspace() throws IOException {
        tree.write("real/file.txt", "real".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(root.resolve("relative"), Path.of("real/file.txt"));
        Files.createSymbolicLink(root.resolve("absolute"), Path.of("/workspace/real/file.txt"));
        Files.createSymbolicLink(root.resolve("dir"), Path.of("real"));
        Files.createSymbolicLink(root.resolve("real/back"), Path.of("../dir"));
        assertThat(tree.read("relative", Long.MAX_VALUE))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("real");
        assertThat(tree.read("absolute", Long.MAX_VALUE))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("real");
        assertThat(tree.read("dir/back/back/file.txt", Long.MAX_VALUE))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("real");
        assertThat(tree.list("dir")).extracting(FileEntry::name).containsExactly("back", "file.txt");
        tree.write("relative", "through the link".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(root.resolve("real/file.txt"))).isEqualTo("through the link");
        assertThat(Files.isSymbolicLink(root.resolve("relative")))
                .as("the link stays")
                .isTrue();
        tree.mkdir("dir/made");
        assertThat(root.resolve("real/made")).isDirectory();

        Files.createSymbolicLink(root.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(root.resolve("loop-b"), Path.of("loop-a"));
        assertThatThrownBy(() -> tree.read("loop-a", Long.MAX_VALUE))
                .isInstanceOf(FileOperationException.class)
                .hasMessageContaining("more than " + ConfinedTree.MAX_HOPS + " symbolic links");
        assertHostUnchanged();
    }

    @Test
    void specialFilesAreRefusedAtOnce() throws Exception {
        FifoGuardTest.mkfifo(root.resolve("fifo"));
        try (ServerSocketChannel socket = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(root.resolve("socket")));
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                for (String name : List.of("fifo", "socket")) {
                    assertRefused(Reason.IO, () -> tree.read(name, Long.MAX_VALUE));
                    assertRefused(Reason.IO, () -> tree.write(name, "x".getBytes(StandardCharsets.UTF_8)));
                    assertRefused(Reason.NOT_A_DIRECTORY, () -> tree.list(name));
                    assertRefused(Reason.NOT_A_DIRECTORY, () -> tree.read(name + "/x", Long.MAX_VALUE));
                    assertThat(tree.stat(name).type()).isEqualTo(FileEntry.Type.OTHER);
                }
            });
            assertThatThrownBy(() -> tree.read("fifo", Long.MAX_VALUE)).hasMessageContaining("not a regular file");
            tree.delete("fifo");
            assertThat(tree.exists("fifo")).isFalse();
        }
        assertHostUnchanged();
    }

    /**
     * The hostile thread swaps a FIFO in for the file and out again as fast as it can: a read that
     * looks, finds a file and then opens the FIFO must not block.
     */
    @Test
    void aFifoSwappedInForTheFileNeverBlocksARead() throws Exception {
        Path file = root.resolve("f");
        Path fifo = FifoGuardTest.mkfifo(root.resolve("fifo"));
        Path regular = Files.writeString(root.resolve("regular"), "content");
        Files.copy(regular, file);
        AtomicInteger swaps = new AtomicInteger();
        try (Swapper swapper = new Swapper(() -> {
            move(file, regular.resolveSibling("parked"));
            move(fifo, file);
            move(file, fifo);
            move(regular.resolveSibling("parked"), file);
            swaps.incrementAndGet();
        })) {
            Map<String, Integer> outcomes = new TreeMap<>();
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 500; i++) {
                    String outcome;
                    try {
                        outcome = new String(tree.read("f", Long.MAX_VALUE), StandardCharsets.UTF_8);
                    } catch (FileOperationException e) {
                        outcome = e.reason().toString();
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                }
            });
            assertThat(swaps.get()).as("swaps while the reads ran").isPositive();
            assertThat(outcomes.keySet()).as("outcomes %s", outcomes).isSubsetOf("content", "IO", "NOT_FOUND");
        }
    }

    /** A program that is being executed cannot be opened for writing (ETXTBSY): it is read all the same. */
    @Test
    void aProgramBeingExecutedIsReadOnlyAndStillRead() throws Exception {
        Path program = root.resolve("sleeper");
        Files.copy(Path.of("/bin/sleep"), program);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process running = new ProcessBuilder(program.toString(), "30").start();
        try {
            Thread.sleep(100);
            assumeTrue(running.isAlive(), "the program runs");
            assertThat(tree.read("sleeper", Long.MAX_VALUE)).isEqualTo(Files.readAllBytes(Path.of("/bin/sleep")));
        } finally {
            running.destroyForcibly().waitFor();
        }
    }

    /**
     * A hostile process makes {@code d} change places with a link to the host directory as fast as it
     * can: making directories and files below it, listing, reading, moving and deleting in it never
     * reaches the host directory, and both states are met.
     */
    @Test
    void aDirectorySwappedForALinkNeverLeadsOut() throws Exception {
        Path d = Files.createDirectory(root.resolve("d"));
        Files.writeString(d.resolve("canary.txt"), "workspace canary");
        Path link = Files.createSymbolicLink(root.resolve("d.link"), outside);
        List<String> seen = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        try (Exchanger exchanger = new Exchanger(d, link)) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 300; i++) {
                    int n = i;
                    for (ThrowingCallable call : List.<ThrowingCallable>of(
                            () -> tree.mkdir("d/sub-" + n),
                            () -> tree.write("d/file-" + n, new byte[] {1}),
                            () -> seen.add(tree.list("d").toString()),
                            () -> seen.add(
                                    new String(tree.read("d/canary.txt", Long.MAX_VALUE), StandardCharsets.UTF_8)),
                            () -> tree.move("d/file-" + n, "d/moved-" + n),
                            () -> tree.delete("d/canary.txt"))) {
                        try {
                            call.call();
                            outcomes.merge("done", 1, Integer::sum);
                        } catch (FileOperationException e) {
                            seen.add(e.getMessage());
                            outcomes.merge(e.reason().toString(), 1, Integer::sum);
                        }
                    }
                }
            });
        }
        assertThat(outcomes)
                .as("operations that found d a directory, and ones that found the link")
                .containsKeys("done", "OUTSIDE_WORKSPACE");
        assertThat(seen).noneMatch(s -> s.contains("host canary"));
        assertHostUnchanged();
    }

    /** When the JVM may give files away: what the tree creates belongs to the owner it was given. */
    @Test
    void createdEntriesGetTheOwner() throws IOException {
        assumeTrue(
                Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "only root may give files to another user");
        ConfinedTree owned = new ConfinedTree(root, "/workspace", "a test's", 4242, 4343);
        Files.createDirectory(root.resolve("existing"));
        owned.write("existing/new/deeper/file.txt", "x".getBytes(StandardCharsets.UTF_8));
        owned.mkdir("made/below");
        owned.write("existing/new/deeper/file.txt", "replaced".getBytes(StandardCharsets.UTF_8));
        for (String created :
                List.of("existing/new", "existing/new/deeper", "existing/new/deeper/file.txt", "made", "made/below")) {
            Path p = root.resolve(created);
            assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                    .as(created)
                    .isEqualTo(4242);
            assertThat(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS))
                    .as(created)
                    .isEqualTo(4343);
        }
        assertThat(Files.getAttribute(root.resolve("existing"), "unix:uid"))
                .as("what was there")
                .isEqualTo(0);
        assertHostUnchanged();
    }

    @Test
    void aWriteReplacesTheFileAtOnceKeepingItsPermissions() throws IOException {
        Path file = Files.writeString(root.resolve("script.sh"), "echo old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
        Object before = Files.readAttributes(file, "unix:ino").get("ino");
        tree.write("script.sh", "echo new\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(file)).isEqualTo("echo new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rwxr-x---");
        assertThat(Files.readAttributes(file, "unix:ino").get("ino"))
                .as("a new file took the old one's place")
                .isNotEqualTo(before);
        assertHostUnchanged();
    }

    @Test
    void deletingATreeRemovesLinksNotWhatTheyLeadTo() throws IOException {
        Path sub = Files.createDirectories(root.resolve("tree/read-only/inner"));
        Files.writeString(sub.resolve("file.txt"), "x");
        Files.createSymbolicLink(root.resolve("tree/to-outside"), outside);
        Files.createSymbolicLink(root.resolve("tree/read-only/to-secret"), secret);
        Files.setPosixFilePermissions(root.resolve("tree/read-only"), PosixFilePermissions.fromString("r-xr-xr-x"));
        tree.delete("tree");
        assertThat(root.resolve("tree")).doesNotExist();
        assertHostUnchanged();
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // a step of the swap failed (the tree under test took the name): the next round repairs it
        }
    }

    /** A thread that repeats a swap as fast as it can until closed. */
    static final class Swapper implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Swapper(Runnable swap) {
            thread = Thread.ofPlatform().daemon().name("hostile-swapper").start(() -> {
                while (running.get()) {
                    swap.run();
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }
}
