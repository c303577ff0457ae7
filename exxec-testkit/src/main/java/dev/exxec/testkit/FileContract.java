package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ExecutionResult;
import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.Language;
import dev.exxec.WorkspaceFiles;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Files: bytes and text in and out, relative paths in the workspace that the code sees as its working
 * directory, sorted listings, stat, exists, mkdir with parents, move, recursive delete, {@code
 * NOT_FOUND} for what is not there, and a quick refusal of FIFOs. Each test works in its own directory.
 */
abstract class FileContract extends KitArea {
    /** How long refusing a FIFO may take: it must not wait for the FIFO's other end at all. */
    private static final Duration FIFO_REFUSAL = Duration.ofSeconds(5);

    FileContract(EnvironmentFactory factory) {
        super(factory);
    }

    @BeforeAll
    final void requireFiles() {
        assumeTrue(caps().files(), "the environment does not declare files");
    }

    private WorkspaceFiles files() {
        return env().files();
    }

    private static void assertNotFound(ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        FileOperationException.class,
                        e -> assertThat(e.reason())
                                .as(e.getMessage())
                                .isEqualTo(FileOperationException.Reason.NOT_FOUND));
    }

    @Test
    void workspaceIsAnAbsolutePath() {
        assertThat(files().workspace()).startsWith("/");
        assertThat(files().exists(files().workspace())).isTrue();
        assertThat(files().stat(files().workspace()).isDirectory()).isTrue();
    }

    @Test
    void bytesGoInAndComeOutUnchanged() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        files().write("files-bytes/all.bin", all);
        assertThat(files().read("files-bytes/all.bin")).isEqualTo(all);
        files().write("files-bytes/empty.bin", new byte[0]);
        assertThat(files().read("files-bytes/empty.bin")).isEmpty();
    }

    @Test
    void textIsUtf8() {
        String text = LanguageContract.UNICODE + "\r\nline two\n";
        files().writeString("files-text/u.txt", text);
        assertThat(files().readString("files-text/u.txt")).isEqualTo(text);
        assertThat(files().read("files-text/u.txt")).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void writeCreatesParentsAndReplaces() {
        files().writeString("files-write/a/b/c.txt", "first, and longer");
        files().writeString("files-write/a/b/c.txt", "second");
        assertThat(files().readString("files-write/a/b/c.txt")).isEqualTo("second");
        assertThat(files().stat("files-write/a/b").isDirectory()).isTrue();
    }

    @Test
    void relativeAndAbsolutePathsMeanTheSameFile() {
        files().writeString("files-abs/rel.txt", "relative");
        String absolute = files().workspace() + "/files-abs/rel.txt";
        assertThat(files().readString(absolute)).isEqualTo("relative");
        assertThat(files().stat("files-abs/rel.txt").path()).isEqualTo(absolute);
    }

    @Test
    void commandsRunInTheWorkspaceAndShareItsFiles() {
        assumeCommands();
        files().writeString("files-cmd/in.txt", "from files");
        ExecutionResult r =
                succeeded(env().executeCommand("cat files-cmd/in.txt && echo from-command > files-cmd/out.txt"));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("from files");
        assertThat(files().readString("files-cmd/out.txt")).isEqualTo("from-command\n");
    }

    @Test
    void codeRunsInTheWorkspaceAndSharesItsFiles() {
        assumeLanguage(Language.PYTHON);
        files().writeString("files-code/in.txt", "from files");
        ExecutionResult r = succeeded(env().execute(Code.python("""
                with open("files-code/out.txt", "w") as f:
                    f.write("from code")
                with open("files-code/in.txt") as f:
                    _result = f.read()
                """)));
        assertThat(r.result()).as(describe(r)).isEqualTo("from files");
        assertThat(files().readString("files-code/out.txt")).isEqualTo("from code");
    }

    @Test
    void callCwdIsRelativeToTheWorkspace() {
        assumeCommands();
        files().writeString("files-cwd/inner/here.txt", "found");
        ExecutionResult r =
                succeeded(env().executeCommand(Command.of("cat here.txt").withCwd("files-cwd/inner")));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("found");
        if (caps().supports(Language.PYTHON)) {
            ExecutionResult code = succeeded(env().execute(
                            Code.python("_result = open(\"here.txt\").read()\n").withCwd("files-cwd/inner")));
            assertThat(code.result()).as(describe(code)).isEqualTo("found");
        }
    }

    @Test
    void listIsSortedByNameWithTypes() {
        files().writeString("files-list/b.txt", "bb");
        files().writeString("files-list/a.txt", "a");
        files().mkdir("files-list/c-dir");
        files().writeString("files-list/B-upper.txt", "");
        List<FileEntry> entries = files().list("files-list");
        assertThat(entries).extracting(FileEntry::name).containsExactly("B-upper.txt", "a.txt", "b.txt", "c-dir");
        assertThat(entries.get(1).isFile()).isTrue();
        assertThat(entries.get(1).size()).isEqualTo(1);
        assertThat(entries.get(3).isDirectory()).isTrue();
        assertThat(entries.get(2).path()).isEqualTo(files().workspace() + "/files-list/b.txt");
        assertThat(files().list("files-list/c-dir")).isEmpty();
    }

    @Test
    void statDescribesFilesAndDirectories() {
        files().writeString("files-stat/f.txt", "12345");
        FileEntry file = files().stat("files-stat/f.txt");
        assertThat(file.name()).isEqualTo("f.txt");
        assertThat(file.type()).isEqualTo(FileEntry.Type.FILE);
        assertThat(file.size()).isEqualTo(5);
        assertThat(file.path()).isEqualTo(files().workspace() + "/files-stat/f.txt");
        FileEntry dir = files().stat("files-stat");
        assertThat(dir.type()).isEqualTo(FileEntry.Type.DIRECTORY);
        assertThat(dir.name()).isEqualTo("files-stat");
    }

    @Test
    void statReportsSymbolicLinksWithoutFollowing() {
        assumeCommands();
        succeeded(env().executeCommand("mkdir -p files-link && ln -s no-such-target files-link/dangling"));
        assertThat(files().exists("files-link/dangling"))
                .as("a dangling link exists")
                .isTrue();
        assertThat(files().stat("files-link/dangling").type()).isEqualTo(FileEntry.Type.SYMLINK);
    }

    @Test
    void existsSaysWhetherSomethingIsThere() {
        files().writeString("files-exists/yes.txt", "");
        assertThat(files().exists("files-exists/yes.txt")).isTrue();
        assertThat(files().exists("files-exists")).isTrue();
        assertThat(files().exists("files-exists/no.txt")).isFalse();
        assertThat(files().exists("files-exists-missing/no.txt")).isFalse();
    }

    /**
     * Hostile review (issue 15, F4): a file under a directory that the code's user may not search is
     * there, and the files API never says otherwise. Where the environment's user may read it anyway
     * (root), each operation answers truly; where it may not, it fails with {@code PERMISSION_DENIED}.
     * (docker read it as "not found" and failed a listing with the shell's words.)
     */
    @Test
    void aFileUnderADirectoryWithoutSearchPermissionIsNeverNotFound() {
        assumeCommands();
        files().writeString("files-locked/d/f.txt", "secret");
        files().mkdir("files-locked/d/sub");
        succeeded(env().executeCommand("chmod 0 files-locked/d"));
        try {
            answersTrulyOrIsDenied(
                    () -> assertThat(files().readString("files-locked/d/f.txt")).isEqualTo("secret"));
            answersTrulyOrIsDenied(
                    () -> assertThat(files().exists("files-locked/d/f.txt")).isTrue());
            answersTrulyOrIsDenied(() ->
                    assertThat(files().stat("files-locked/d/f.txt").size()).isEqualTo(6));
            answersTrulyOrIsDenied(
                    () -> assertThat(files().list("files-locked/d").stream().map(FileEntry::name))
                            .containsExactly("f.txt", "sub"));
            answersTrulyOrIsDenied(
                    () -> assertThat(files().list("files-locked/d/sub")).isEmpty());
        } finally {
            succeeded(env().executeCommand("chmod 755 files-locked/d"));
        }
    }

    private static void answersTrulyOrIsDenied(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        if (t instanceof FileOperationException e) {
            assertThat(e.reason()).as("%s", e.getMessage()).isEqualTo(FileOperationException.Reason.PERMISSION_DENIED);
            assertThat(e.getMessage()).as("the message says why").containsIgnoringCase("permission denied");
        } else if (t != null) {
            throw new AssertionError(t);
        }
    }

    @Test
    void mkdirCreatesParentsAndIsIdempotent() {
        files().mkdir("files-mkdir/x/y/z");
        assertThat(files().stat("files-mkdir/x/y/z").isDirectory()).isTrue();
        files().mkdir("files-mkdir/x/y/z");
        files().mkdir("files-mkdir/x");
        assertThat(files().list("files-mkdir/x")).extracting(FileEntry::name).containsExactly("y");
    }

    @Test
    void moveRenamesAndReplaces() {
        files().writeString("files-move/a.txt", "A");
        files().move("files-move/a.txt", "files-move/b.txt");
        assertThat(files().exists("files-move/a.txt")).isFalse();
        assertThat(files().readString("files-move/b.txt")).isEqualTo("A");

        files().writeString("files-move/c.txt", "C");
        files().move("files-move/c.txt", "files-move/b.txt");
        assertThat(files().readString("files-move/b.txt"))
                .as("the target is replaced")
                .isEqualTo("C");

        files().writeString("files-move/dir/inner.txt", "inner");
        files().mkdir("files-move/elsewhere");
        files().move("files-move/dir", "files-move/elsewhere/dir");
        assertThat(files().readString("files-move/elsewhere/dir/inner.txt")).isEqualTo("inner");
        assertThat(files().exists("files-move/dir")).isFalse();
    }

    @Test
    void deleteRemovesFilesAndWholeDirectories() {
        files().writeString("files-delete/one.txt", "1");
        files().delete("files-delete/one.txt");
        assertThat(files().exists("files-delete/one.txt")).isFalse();

        files().writeString("files-delete/tree/a/b/c.txt", "c");
        files().writeString("files-delete/tree/d.txt", "d");
        files().delete("files-delete/tree");
        assertThat(files().exists("files-delete/tree")).isFalse();
        assertThat(files().exists("files-delete")).isTrue();
    }

    @Test
    void missingPathsAreNotFound() {
        assertNotFound(() -> files().read("files-missing/nothing.txt"));
        assertNotFound(() -> files().stat("files-missing/nothing.txt"));
        assertNotFound(() -> files().list("files-missing"));
        assertNotFound(() -> files().delete("files-missing/nothing.txt"));
        assertNotFound(() -> files().move("files-missing/nothing.txt", "files-missing-target.txt"));
    }

    @Test
    void readingADirectoryFails() {
        files().mkdir("files-dir-read");
        assertThatThrownBy(() -> files().read("files-dir-read")).isInstanceOf(FileOperationException.class);
    }

    /**
     * A read takes no more than it may: {@code read(path, maxBytes)} returns a file of up to {@code
     * maxBytes} bytes whole and refuses a larger one with {@code TOO_LARGE}, also one the code made
     * sparse and huge (a size looked at first would not bound it: the code can swap the file), and
     * the environment works on.
     */
    @Test
    void readsAreBoundedWhileTheyRead() {
        files().writeString("files-bounded/small.txt", "0123456789");
        assertThat(files().read("files-bounded/small.txt", 10)).hasSize(10);
        assertThat(catchThrowable(() -> files().read("files-bounded/small.txt", 9)))
                .isInstanceOfSatisfying(
                        FileOperationException.class,
                        e -> assertThat(e.reason()).isEqualTo(FileOperationException.Reason.TOO_LARGE));
        if (caps().commands()) {
            succeeded(env().executeCommand("truncate -s 512M files-bounded/sparse || dd if=/dev/zero"
                    + " of=files-bounded/sparse bs=1 count=0 seek=512M"));
            long start = System.nanoTime();
            assertThat(catchThrowable(() -> files().read("files-bounded/sparse", 1 << 20)))
                    .as("a read of at most 1 MiB of a 512 MiB file")
                    .isInstanceOfSatisfying(
                            FileOperationException.class,
                            e -> assertThat(e.reason()).isEqualTo(FileOperationException.Reason.TOO_LARGE));
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("refusing the 512 MiB file took")
                    .isLessThan(Duration.ofSeconds(10));
            files().delete("files-bounded/sparse");
        }
        assertThat(files().readString("files-bounded/small.txt")).isEqualTo("0123456789");
        files().delete("files-bounded");
    }

    /**
     * A FIFO the code made is no file to read or write: both are refused at once (an open of a FIFO
     * waits for its other end, which would hang the caller), and the environment works on.
     */
    @Test
    void fifosAreRefusedQuickly() {
        String fifo = "files-fifo/pipe";
        files().mkdir("files-fifo");
        makeFifo(fifo);
        try {
            assertThat(files().stat(fifo).type()).isEqualTo(FileEntry.Type.OTHER);
            Map<String, ThrowingCallable> operations = new LinkedHashMap<>();
            operations.put("read", () -> files().read(fifo));
            operations.put("readString", () -> files().readString(fifo));
            operations.put("write", () -> files().writeString(fifo, "into the pipe"));
            operations.forEach((what, operation) -> {
                long start = System.nanoTime();
                // On another thread, so that a provider that hangs fails here instead of stalling the area.
                Throwable thrown = assertTimeoutPreemptively(
                        FIFO_REFUSAL.plusSeconds(5), () -> catchThrowable(operation), what + " of a FIFO hangs");
                assertThat(thrown).as("%s of a FIFO", what).isInstanceOf(FileOperationException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("%s of a FIFO is refused after", what)
                        .isLessThan(FIFO_REFUSAL);
            });
            assertThat(files().exists(fifo))
                    .as("the refused write left the FIFO")
                    .isTrue();
            files().writeString("files-fifo/after.txt", "still works");
            assertThat(files().readString("files-fifo/after.txt")).isEqualTo("still works");
            if (caps().commands()) {
                ExecutionResult r = succeeded(env().executeCommand("cat files-fifo/after.txt"));
                assertThat(r.stdout()).as(describe(r)).isEqualTo("still works");
            }
        } finally {
            releaseFifo(fifo);
        }
        files().delete(fifo);
        assertThat(files().exists(fifo)).isFalse();
    }

    /**
     * A character device is no file either: {@code /dev/zero} and {@code /dev/urandom} never end, and
     * report size 0, so only a read bounded while it reads stops (issue 14). Reached through a link
     * the code made in the workspace (where the code can make one), a device node the code made there
     * (where it may), or by its absolute path, every read
     * is refused quickly with a {@link FileOperationException}, and the environment works on.
     */
    @Test
    void characterDevicesAreRefusedQuickly() {
        files().mkdir("files-devices");
        List<String> paths = new java.util.ArrayList<>(List.of("/dev/zero", "/dev/urandom"));
        if (makeLink("/dev/zero", "files-devices/zero")) {
            paths.add("files-devices/zero");
        }
        if (makeLink("/dev/urandom", "files-devices/urandom")) {
            paths.add("files-devices/urandom");
        }
        if (caps().commands()
                && env().executeCommand(Command.of("mknod files-devices/zero-node c 1 5"))
                        .success()) {
            paths.add("files-devices/zero-node"); // where the code may make device nodes (root, no sandbox)
        }
        for (String path : paths) {
            Map<String, ThrowingCallable> operations = new LinkedHashMap<>();
            operations.put("read", () -> files().read(path));
            operations.put("readString", () -> files().readString(path));
            operations.put("read of at most 1 KiB", () -> files().read(path, 1024));
            operations.forEach((what, operation) -> {
                long start = System.nanoTime();
                // On another thread, so that a provider that reads on and on fails here instead of
                // stalling the area.
                Throwable thrown = assertTimeoutPreemptively(
                        FIFO_REFUSAL.plusSeconds(5), () -> catchThrowable(operation), what + " of " + path + " hangs");
                assertThat(thrown).as("%s of %s", what, path).isInstanceOf(FileOperationException.class);
                assertThat(thrown.getMessage())
                        .as("%s of %s", what, path)
                        .contains(path.substring(path.lastIndexOf('/') + 1));
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("%s of %s is refused after", what, path)
                        .isLessThan(FIFO_REFUSAL);
            });
        }
        files().writeString("files-devices/after.txt", "still works");
        assertThat(files().readString("files-devices/after.txt")).isEqualTo("still works");
        files().delete("files-devices");
        assertThat(files().exists("files-devices")).isFalse();
    }

    /** Makes a symbolic link through the code (a command, else Python); whether the code could. */
    private boolean makeLink(String target, String link) {
        ExecutionResult r;
        if (caps().commands()) {
            r = env().executeCommand(Command.of("ln -s " + target + " " + link));
        } else {
            assumeLanguage(Language.PYTHON);
            r = env().execute(Code.python(
                    "import os\nos.symlink(" + pythonString(target) + ", " + pythonString(link) + ")\n"));
        }
        return r.success();
    }

    /** Makes a FIFO through the code (a command, else Python), or skips where the code cannot. */
    private void makeFifo(String path) {
        ExecutionResult r;
        if (caps().commands()) {
            r = env().executeCommand(Command.of("mkfifo " + path));
        } else {
            assumeLanguage(Language.PYTHON);
            r = env().execute(Code.python("import os\nos.mkfifo(" + pythonString(path) + ")\n"));
        }
        assumeTrue(r.success(), () -> "the code cannot make a FIFO here: " + describe(r));
    }

    /** Opens the FIFO for both ends from the code: what releases anything of this JVM still blocked on it. */
    private void releaseFifo(String path) {
        if (caps().commands()) {
            env().executeCommand(Command.of("exec 3<>" + path).withTimeout(Duration.ofSeconds(5)));
        } else if (caps().supports(Language.PYTHON)) {
            env().execute(Code.python("import os\nos.close(os.open(" + pythonString(path) + ", os.O_RDWR))\n")
                    .withTimeout(Duration.ofSeconds(5)));
        }
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
