package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.BackgroundProcess;
import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.WorkspaceFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile code against {@code files()}: a background process of the code swaps a workspace entry, as
 * fast as it can, between what it was and a symbolic link to the host (a secret file, a directory),
 * while this JVM reads, writes, lists, makes, moves and deletes through it. Whatever wins each race,
 * the secret's content never comes back, the host file and directory are never changed, and nothing
 * is created on the host outside the workspace: a provider that checks a path and then uses it again
 * loses these races (issue 13, finding 3).
 *
 * <p>Runs only where the environment declares isolation {@link Isolation#OS_SANDBOX} or stronger,
 * like {@link HostileContract}, with the same small memory and process limits.
 */
abstract class HostileFilesContract extends HostileArea {
    /** Reads, and writes, of the swapped file. */
    private static final int ROUNDS = 300;
    /** Operations through the swapped directory, of six kinds in turn. */
    private static final int DIRECTORY_ROUNDS = 600;
    /**
     * How long each run of operations may take: a provider whose file operations are slow (each one
     * a round trip to a daemon) does fewer of them, within the area's timeout.
     */
    private static final Duration BUDGET = Duration.ofSeconds(25);
    /** The fewest operations a run does, however slow the provider, for the race to mean something. */
    private static final int AT_LEAST = 30;
    /** How long the swapping process lives at most, should the test not stop it. */
    private static final int SWAPPER_SECONDS = 100;

    /**
     * Swaps entries of DIR as fast as Python can, for SECONDS at most. Mode "file": x is a regular
     * file, then a link to TARGET, each by one atomic rename. Mode "directory": d and d.alt (a
     * directory and a link to TARGET) change places, atomically where renameat2 exists. What the host
     * side does to those names meanwhile (replacing x, say) is repaired.
     */
    private static final String SWAPPER = """
            import ctypes, os, time

            os.chdir(DIR)
            try:
                renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
            except (OSError, AttributeError):
                renameat2 = None

            def exchange(a, b):
                if renameat2 is not None and renameat2(-100, a.encode(), -100, b.encode(), 2) == 0:
                    return
                os.rename(a, a + ".t")
                os.rename(b, a)
                os.rename(a + ".t", b)

            def kind(name):
                if os.path.islink(name):
                    return "link"
                return "dir" if os.path.isdir(name) else ("other" if os.path.exists(name) else None)

            def repair():
                if MODE == "file":
                    for name in ("x.l", "x.r"):
                        if os.path.lexists(name):
                            os.unlink(name)
                    return
                if os.path.lexists("d.t"):
                    if kind("d") is None:
                        os.rename("d.t", "d")
                    elif kind("d.alt") is None:
                        os.rename("d.t", "d.alt")
                kinds = [kind("d"), kind("d.alt")]
                if "dir" not in kinds:
                    os.mkdir("d" if kinds[0] is None else "d.alt")
                elif "link" not in kinds:
                    os.symlink(TARGET, "d" if kinds[0] is None else "d.alt")

            print("swapping", flush=True)
            deadline = time.monotonic() + SECONDS
            n = 0
            while n % 1000 or time.monotonic() < deadline:
                n += 1
                try:
                    if MODE == "file":
                        os.symlink(TARGET, "x.l")
                        os.rename("x.l", "x")
                        with open("x.r", "w") as f:
                            f.write("decoy")
                        os.rename("x.r", "x")
                    else:
                        exchange("d", "d.alt")
                except OSError:
                    try:
                        repair()
                    except OSError:
                        pass
            """;

    HostileFilesContract(EnvironmentFactory factory) {
        super(factory);
    }

    /** Skips the area where there is nothing to race with or nothing to race. */
    @BeforeAll
    @Timeout(value = TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    final void needsFilesProcessesAndPython() {
        assumeTrue(caps().files(), "the environment does not declare files");
        assumeTrue(caps().processes(), "the environment does not declare background processes to race with");
        assumeLanguage(Language.PYTHON);
    }

    /**
     * {@code x} swaps between a regular file and a link to a host secret readable only by this user:
     * reads return the file's content or fail, never the secret's; writes replace the workspace entry
     * or fail, never the secret.
     */
    @Test
    void aFileSwappedForALinkNeverReachesTheHost() throws IOException, InterruptedException {
        HostSide.PlantedSecret secret = plant();
        try (secret) {
            WorkspaceFiles files = hostile().files();
            String dir = "race-file-" + UUID.randomUUID();
            BackgroundProcess swapper = startSwapper(dir, "file", secret.path());
            try {
                awaitBothKinds(files, dir + "/x", FileEntry.Type.FILE, swapper);
                List<String> read = new ArrayList<>();
                int refused = 0;
                int reads = 0;
                long deadline = System.nanoTime() + BUDGET.toNanos();
                for (; reads < ROUNDS && (reads < AT_LEAST || System.nanoTime() < deadline); reads++) {
                    try {
                        read.add(new String(files.read(dir + "/x"), StandardCharsets.UTF_8));
                    } catch (FileOperationException e) {
                        refused++;
                        assertThat(e.getMessage()).doesNotContain(secret.value());
                    }
                }
                int writes = 0;
                deadline = System.nanoTime() + BUDGET.toNanos();
                for (; writes < ROUNDS && (writes < AT_LEAST || System.nanoTime() < deadline); writes++) {
                    try {
                        files.writeString(dir + "/x", "written-" + writes);
                    } catch (FileOperationException e) {
                        refused++;
                    }
                }
                assertThat(read)
                        .as(
                                "%d reads and %d writes of a file swapped for a link to %s (%d refused)",
                                reads, writes, secret.path(), refused)
                        .noneMatch(content -> content.contains(secret.value()));
                assertThat(swapper.isAlive())
                        .as("the swapping process ran all along")
                        .isTrue();
            } finally {
                swapper.kill();
            }
            assertThat(Files.readString(secret.path()))
                    .as("the host secret behind the link, after the writes")
                    .isEqualTo(secret.value());
        }
    }

    /**
     * {@code d} swaps between a workspace directory and a link to a host directory: writing, making,
     * listing, reading, moving and deleting below it never shows, changes or creates anything of the
     * host directory.
     */
    @Test
    void aDirectorySwappedForALinkNeverReachesTheHost() throws IOException, InterruptedException {
        Path hostDir = Files.createTempDirectory("exxec-kit-hostdir-");
        String canary = "exxec-kit-canary-" + UUID.randomUUID();
        String hostOnly = "host-only-" + UUID.randomUUID();
        try {
            Files.writeString(hostDir.resolve("canary.txt"), canary);
            Files.writeString(hostDir.resolve(hostOnly), "host");
            Files.writeString(hostDir.resolve("m-src"), "host m-src");
            Files.writeString(hostDir.resolve("victim"), "host victim");
            Map<String, String> before = snapshot(hostDir);

            WorkspaceFiles files = hostile().files();
            String dir = "race-dir-" + UUID.randomUUID();
            files.writeString(dir + "/d/canary.txt", "decoy");
            files.writeString(dir + "/d/m-src", "workspace m-src");
            files.writeString(dir + "/d/victim", "workspace victim");
            BackgroundProcess swapper = startSwapper(dir, "directory", hostDir);
            String d = dir + "/d";
            List<String> seen = new ArrayList<>();
            int refused = 0;
            int done = 0;
            try {
                awaitBothKinds(files, d, FileEntry.Type.DIRECTORY, swapper);
                long deadline = System.nanoTime() + BUDGET.multipliedBy(2).toNanos();
                for (; done < DIRECTORY_ROUNDS && (done < AT_LEAST || System.nanoTime() < deadline); done++) {
                    int round = done;
                    Supplier<@Nullable String> operation = switch (round % 6) {
                        case 0 ->
                            () -> {
                                files.writeString(d + "/f-" + round, "workspace");
                                return null;
                            };
                        case 1 ->
                            () -> {
                                files.mkdir(d + "/sub-" + round);
                                return null;
                            };
                        case 2 -> () -> files.list(d).toString();
                        case 3 -> () -> files.readString(d + "/canary.txt");
                        case 4 ->
                            () -> {
                                files.move(d + "/m-src", d + "/m-dst-" + round);
                                return null;
                            };
                        default ->
                            () -> {
                                files.delete(d + "/victim");
                                return null;
                            };
                    };
                    try {
                        String result = operation.get();
                        if (result != null) {
                            seen.add(result);
                        }
                    } catch (FileOperationException e) {
                        refused++;
                        seen.add(e.getMessage());
                    }
                }
                assertThat(swapper.isAlive())
                        .as("the swapping process ran all along")
                        .isTrue();
            } finally {
                swapper.kill();
            }
            assertThat(seen)
                    .as(
                            "what %d operations through a directory swapped for a link to %s returned (%d refused)",
                            done, hostDir, refused)
                    .noneMatch(s -> s.contains(canary) || s.contains(hostOnly));
            assertThat(snapshot(hostDir))
                    .as("the host directory behind the link, after %d operations through it", done)
                    .isEqualTo(before);
        } finally {
            HostSide.deleteTree(hostDir);
        }
    }

    /** Starts the swapping process in workspace directory {@code dir}; it links to {@code target}. */
    /**
     * Takes every process slot of the environment but one, again and again, for SECONDS at most: forks
     * children that wait until no fork succeeds, ends one of them, says "full" once, and after a moment
     * takes the freed slots back. A helper that the environment starts for a file operation then gets
     * that one slot and no second one for a fork of its own.
     */
    private static final String SLOT_HOLDER = """
            import os, signal, sys, time

            def fill(kids):
                while True:
                    try:
                        pid = os.fork()
                    except OSError:
                        return
                    if pid == 0:
                        signal.pause()
                        os._exit(0)
                    kids.append(pid)

            kids = []
            said = False
            end = time.monotonic() + SECONDS
            while time.monotonic() < end:
                fill(kids)
                if kids:
                    last = kids.pop()
                    os.kill(last, signal.SIGKILL)
                    os.waitpid(last, 0)
                if not said:
                    print("full", flush=True)
                    said = True
                time.sleep(0.05)
            """;

    /**
     * With every process slot but one taken by the code, a file operation answers truly or fails: a
     * file that is there is never reported missing, nor its size as 0, nor left out of its directory's
     * list. A helper run in the environment that cannot fork must not have its shell's own error read
     * as "not found" (docker's files.sh did: its shell exits 2 when a fork fails, which was also its
     * "not found").
     */
    @Test
    void filesAnswerTrulyOrFailWhenTheCodeHoldsEveryProcessSlot() throws InterruptedException {
        assumeTrue(
                hostile().capabilities().limits().processes() != null,
                "the environment does not declare a process limit");
        WorkspaceFiles files = hostile().files();
        String dir = "slots-" + UUID.randomUUID();
        files.writeString(dir + "/present.txt", "present");
        files.writeString(dir + "/hold.py", python(Map.of("SECONDS", 60), SLOT_HOLDER));
        BackgroundProcess holder =
                hostile().processes().start("exec python3 '" + files.workspace() + "/" + dir + "/hold.py'");
        int answered = 0;
        int failed = 0;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!holder.output().stdout().contains("full")) {
                assertThat(holder.isAlive())
                        .as("the slot holder runs: %s", holder.output())
                        .isTrue();
                assertThat(System.nanoTime())
                        .as("the slot holder filled the slots")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            for (int i = 0; i < 40; i++) {
                try {
                    switch (i % 3) {
                        case 0 ->
                            assertThat(files.exists(dir + "/present.txt"))
                                    .as("exists() of a file that is there, every slot but one taken")
                                    .isTrue();
                        case 1 ->
                            assertThat(files.stat(dir + "/present.txt").size())
                                    .as("stat() of a 7-byte file, every slot but one taken")
                                    .isEqualTo(7);
                        default ->
                            assertThat(files.list(dir))
                                    .as("list() of the directory, every slot but one taken")
                                    .anyMatch(e -> e.name().equals("present.txt"));
                    }
                    answered++;
                } catch (FileOperationException e) {
                    // failing is honest (there was no process slot for the operation); "not found" is not
                    assertThat(e.reason())
                            .as("the failure of an operation on a file that is there: %s", e.getMessage())
                            .isNotEqualTo(FileOperationException.Reason.NOT_FOUND);
                    failed++;
                }
            }
        } finally {
            holder.kill();
        }
        assertThat(files.readString(dir + "/present.txt"))
                .as("the file once the slots are free again (%d operations answered, %d failed)", answered, failed)
                .isEqualTo("present");
        files.delete(dir);
    }

    private BackgroundProcess startSwapper(String dir, String mode, Path target) throws InterruptedException {
        WorkspaceFiles files = hostile().files();
        files.writeString(
                dir + "/swap.py",
                python(
                        Map.of(
                                "DIR",
                                files.workspace() + "/" + dir,
                                "MODE",
                                mode,
                                "TARGET",
                                target.toString(),
                                "SECONDS",
                                SWAPPER_SECONDS),
                        SWAPPER));
        if (mode.equals("file")) {
            files.writeString(dir + "/x", "decoy");
        } else {
            // d.alt starts as the link; the swapper's first exchange puts it at d
            BackgroundProcess link =
                    hostile().processes().start("ln -s '" + target + "' '" + files.workspace() + "/" + dir + "/d.alt'");
            assertThat(link.waitFor(Duration.ofSeconds(10)))
                    .as(link.output().toString())
                    .hasValue(0);
        }
        return hostile().processes().start("exec python3 '" + files.workspace() + "/" + dir + "/swap.py'");
    }

    /** Waits until {@code path} has been seen both as {@code other} and as a link: the race is on. */
    private static void awaitBothKinds(
            WorkspaceFiles files, String path, FileEntry.Type other, BackgroundProcess swapper) {
        Set<FileEntry.Type> kinds = EnumSet.noneOf(FileEntry.Type.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!kinds.containsAll(Set.of(other, FileEntry.Type.SYMLINK)) && System.nanoTime() < deadline) {
            try {
                kinds.add(files.stat(path).type());
            } catch (FileOperationException e) {
                // not there in this moment
            }
            if (!swapper.isAlive()) {
                throw new AssertionError("the swapping process ended: " + swapper.output());
            }
        }
        assertThat(kinds)
                .as("the kinds of %s seen while the process swaps it", path)
                .contains(other, FileEntry.Type.SYMLINK);
    }

    /** Each regular file of a host directory with its content, each other entry with its kind. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) {
                entries.put(
                        p.getFileName().toString(),
                        Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                                ? Files.readString(p)
                                : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "(directory)" : "(other)");
            }
        }
        return entries;
    }
}
