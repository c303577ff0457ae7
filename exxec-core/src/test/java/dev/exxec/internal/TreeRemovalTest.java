package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeRemovalTest {
    @TempDir
    Path base;

    Path outside;

    @BeforeEach
    void setUp() throws IOException {
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "host");
    }

    private void assertOutsideUnchanged() throws IOException {
        try (var entries = Files.list(outside)) {
            assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("keep.txt");
        }
        assertThat(Files.readString(outside.resolve("keep.txt"))).isEqualTo("host");
    }

    @Test
    void aLinkIsRemovedItselfAndADirectoryWithEverythingInIt() throws IOException {
        Path link = Files.createSymbolicLink(base.resolve("link"), outside);
        assertThat(TreeRemoval.deleteTree(link)).isTrue();
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        Path tree = Files.createDirectories(base.resolve("tree/a/b"));
        Files.writeString(tree.resolve("f"), "x");
        Files.createSymbolicLink(tree.resolve("out"), outside);
        Files.createSymbolicLink(base.resolve("tree/keep"), outside.resolve("keep.txt"));
        assertThat(TreeRemoval.deleteTree(base.resolve("tree"))).isTrue();
        assertThat(base.resolve("tree")).doesNotExist();
        assertThat(TreeRemoval.deleteTree(base.resolve("tree")))
                .as("nothing there")
                .isTrue();
        assertOutsideUnchanged();
    }

    /** Deeper than the handles kept open: the deep part is moved up first, and all of it goes. */
    @Test
    void aVeryDeepTreeIsDeletedWithBoundedHandles() throws IOException {
        int depth = TreeRemoval.MAX_DEPTH * 3;
        Path deepest = base.resolve("deep").resolve(String.join("/", Collections.nCopies(depth, "d")));
        Files.createDirectories(deepest);
        Files.writeString(deepest.resolve("bottom.txt"), "x");
        assertThat(TreeRemoval.deleteTree(base.resolve("deep"))).isTrue();
        assertThat(base.resolve("deep")).doesNotExist();
    }

    /**
     * A hostile process makes a directory change places with a link to the host as fast as it can, and
     * makes both again whenever the deletion removed one: thousands of deletions, some of which meet
     * the link in the moment they enter the directory (about one entry in a hundred here), never touch
     * the host.
     */
    @Test
    void aDirectorySwappedForALinkDuringDeletionLeavesTheHostAlone() throws Exception {
        Path tree = Files.createDirectory(base.resolve("tree"));
        Path swapped = Files.createDirectory(tree.resolve("swapped"));
        Path link = Files.createSymbolicLink(base.resolve("link"), outside);
        int emptied = 0;
        try (Exchanger exchanger = new Exchanger(swapped, link, outside)) {
            for (int i = 0; i < 10_000; i++) {
                if (TreeRemoval.deleteTree(swapped)) {
                    emptied++;
                }
            }
        }
        assertThat(emptied).as("deletions that left nothing behind").isPositive();
        TreeRemoval.deleteTree(link);
        TreeRemoval.deleteTree(tree);
        assertOutsideUnchanged();
    }
}
