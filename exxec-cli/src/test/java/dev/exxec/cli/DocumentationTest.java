package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Exxec;
import dev.exxec.spi.ExecutionProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the pages under {@code docs/}: every relative link reaches a file and, where it names
 * one, a heading; every page is reachable from the README; the README's set-up commands are the ones
 * CI runs; every provider on the class path has its row and its page.
 */
class DocumentationTest {

    /** An inline link's target: {@code [text](target)} or {@code [text](target "title")}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern EXPLICIT_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

    /** The README should stay a front page; the manuals live in docs/. */
    private static final int README_MAX_LINES = 200;

    private static final Path ROOT = repositoryRoot();

    @Test
    void everyRelativeLinkReachesAFileAndItsHeading() {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            for (String target : links(page)) {
                String problem = problem(page, target);
                if (problem != null) {
                    broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void everyPageIsReachableFromTheReadme() {
        Set<Path> reached = new LinkedHashSet<>();
        Deque<Path> todo = new ArrayDeque<>(List.of(ROOT.resolve("README.md")));
        while (!todo.isEmpty()) {
            Path page = todo.pop();
            if (!reached.add(page)) {
                continue;
            }
            for (String target : links(page)) {
                Path file = file(page, target);
                if (file != null && file.toString().endsWith(".md") && Files.isRegularFile(file)) {
                    todo.push(file.normalize());
                }
            }
        }
        Set<Path> unreached = new TreeSet<>();
        for (Path page : pages()) {
            if (!reached.contains(page.normalize())) {
                unreached.add(ROOT.relativize(page));
            }
        }
        assertThat(unreached).as("pages no link from README.md leads to").isEmpty();
    }

    @Test
    void theReadmeSetUpCommandsAreWhatCiRuns() {
        String readme = read(ROOT.resolve("README.md"));
        List<String> commands = shellLines(readme);
        assertThat(commands)
                .as("the README's shell lines")
                .contains("./mvnw -B verify", "./exxec run examples/hello.py");
        assertThat(ROOT.resolve("examples/hello.py")).isRegularFile();

        List<String> ci = read(ROOT.resolve(".ci/run"))
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(ci).as(".ci/run runs the README's test command").contains("./mvnw -B verify");
        assertThat(ci)
                .as(".ci/run ends with the same command as on a fresh machine, tools hidden and skips allowed")
                .last()
                .isEqualTo("env -u EXXEC_REQUIRE_ALL .ci/without-daemons ./mvnw -B verify"
                        + " -Dsurefire.excludesFile=\"$PWD/.ci/second-run.exclude\"");
        // What that second run leaves out is graalvm's tests only (they use none of the hidden tools).
        assertThat(read(ROOT.resolve(".ci/second-run.exclude"))
                        .lines()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                        .toList())
                .as(".ci/second-run.exclude")
                .containsExactly("dev/exxec/graalvm/**");
        assertThat(read(ROOT.resolve(".ci/run"))).contains("export EXXEC_REQUIRE_ALL=1");
        assertThat(readme).contains(".ci/run", "EXXEC_REQUIRE_ALL=1");
    }

    @Test
    void theReadmeStaysShort() {
        long lines = read(ROOT.resolve("README.md")).lines().count();
        assertThat(lines).as("lines of README.md (move manuals to docs/)").isLessThanOrEqualTo(README_MAX_LINES);
    }

    @Test
    void everyProviderHasItsRowAndItsPage() {
        String readme = read(ROOT.resolve("README.md"));
        List<String> missing = new ArrayList<>();
        for (ExecutionProvider provider : Exxec.providers()) {
            if (provider.getClass().getPackageName().equals(DocumentationTest.class.getPackageName())) {
                continue; // this module's test providers
            }
            String id = provider.id();
            String page = "docs/providers/" + id + ".md";
            boolean row = readme.lines().anyMatch(l -> l.startsWith("| `" + id + "`") && l.contains("](" + page + ")"));
            if (!row) {
                missing.add("README.md has no provider table row for '" + id + "' linking " + page);
            }
            if (!Files.isRegularFile(ROOT.resolve(page))) {
                missing.add(page + " does not exist");
            }
        }
        assertThat(missing).isEmpty();
    }

    /** What is wrong with a link, or {@code null} when it resolves. */
    private static String problem(Path page, String target) {
        Path file = file(page, target);
        if (file == null) {
            return null; // not a relative link
        }
        if (!Files.exists(file)) {
            return "no such file " + ROOT.relativize(file.normalize());
        }
        int hash = target.indexOf('#');
        if (hash < 0) {
            return null;
        }
        String anchor = target.substring(hash + 1);
        if (!file.toString().endsWith(".md") || !Files.isRegularFile(file)) {
            return "an anchor into a file that is not Markdown";
        }
        Set<String> anchors = anchors(file);
        return anchors.contains(anchor) ? null : "no heading '#" + anchor + "' in " + ROOT.relativize(file.normalize());
    }

    /** The file a relative link leads to (the page itself for {@code #anchor}), or {@code null} for URLs. */
    private static Path file(Path page, String target) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return null; // https:, mailto:, ...
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        return path.isEmpty() ? page : page.getParent().resolve(path).normalize();
    }

    /** The link targets of a page, outside fenced code and code spans. */
    private static List<String> links(Path page) {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : read(page).lines().toList()) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** The anchors GitHub makes of a page's headings (and explicit {@code <a id>} anchors). */
    private static Set<String> anchors(Path page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : read(page).lines().toList()) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher explicit = EXPLICIT_ANCHOR.matcher(line);
            while (explicit.find()) {
                anchors.add(explicit.group(1));
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    /** GitHub's heading anchor: link text only, lower case, punctuation dropped, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }

    @Test
    void slugsAreGitHubs() {
        assertThat(slug("`user=root`")).isEqualTo("userroot");
        assertThat(slug("Commands, files, sessions")).isEqualTo("commands-files-sessions");
        assertThat(slug("`exxec serve`: an MCP server")).isEqualTo("exxec-serve-an-mcp-server");
        assertThat(slug("See [the page](x.md) now")).isEqualTo("see-the-page-now");
    }

    /** The lines of the page's {@code sh} code blocks, without trailing comments. */
    private static List<String> shellLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean shell = false;
        for (String line : markdown.lines().toList()) {
            String t = line.strip();
            if (t.startsWith("```")) {
                shell = !shell && t.equals("```sh");
                continue;
            }
            if (shell && !t.isEmpty()) {
                int comment = t.indexOf(" #");
                lines.add((comment < 0 ? t : t.substring(0, comment)).strip());
            }
        }
        return lines;
    }

    /** README.md and every Markdown page under docs/. */
    private static List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's top directory: the first one above the working directory with .ci/run. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(".ci/run")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no directory with .ci/run above " + Path.of("").toAbsolutePath());
    }
}
