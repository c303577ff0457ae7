package dev.exxec.cli;

import dev.exxec.testkit.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP Inspector's command-line mode ({@code @modelcontextprotocol/inspector}, from the npm
 * registry): an MCP client this project did not write. Found as {@code EXXEC_MCP_INSPECTOR} (its
 * {@code cli.js} or bin), installed globally, or in a cache directory where the first test installs it
 * with npm; without npm the tests skip, or fail under {@code EXXEC_REQUIRE_ALL=1}.
 */
final class Inspector {
    /** The version the tests were written against; pinned so that a new release cannot change them. */
    static final String VERSION = "0.15.0";

    private static final String PACKAGE = "@modelcontextprotocol/inspector";
    private static @Nullable Path found;

    private Inspector() {}

    /** The Inspector's entry point (a Node.js script); skips or fails the test when there is none. */
    static synchronized Path require() {
        if (found != null) {
            return found;
        }
        String given = System.getenv("EXXEC_MCP_INSPECTOR");
        if (given != null && !given.isBlank()) {
            found = Path.of(given);
            return found;
        }
        String npmRoot = run(List.of("npm", "root", "-g"), 30);
        if (npmRoot != null) {
            Path global = Path.of(npmRoot.trim(), PACKAGE, "cli", "build", "cli.js");
            if (Files.isRegularFile(global)) {
                found = global;
                return found;
            }
        }
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path cache = (cacheHome != null ? Path.of(cacheHome) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("exxec")
                .resolve("mcp-inspector-" + VERSION);
        Path script = cache.resolve("node_modules").resolve(PACKAGE).resolve("cli/build/cli.js");
        if (!Files.isRegularFile(script) && npmRoot != null) {
            run(
                    List.of(
                            "npm",
                            "install",
                            "--no-fund",
                            "--no-audit",
                            "--loglevel=error",
                            "--prefix",
                            cache.toString(),
                            PACKAGE + "@" + VERSION),
                    600);
        }
        Requirements.require(
                Files.isRegularFile(script),
                "the MCP Inspector is not installed and npm could not install it (npm install -g " + PACKAGE + "@"
                        + VERSION + ", or set EXXEC_MCP_INSPECTOR to its cli.js); skipping");
        found = script;
        return found;
    }

    /** What one Inspector call printed and its exit code. */
    record Outcome(int exitCode, String out, String err) {
        Map<String, Object> json() {
            return JsonMapper.builder().build().readValue(out, new TypeReference<Map<String, Object>>() {});
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /**
     * Runs {@code node cli.js --cli TARGET... ARGS...}.
     *
     * @param target the server: a command and its arguments (stdio) or a URL and {@code --transport http}
     */
    static Outcome call(List<String> target, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", require().toString(), "--cli"));
        command.addAll(target);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("the Inspector did not finish within 120 s: " + command);
        }
        return new Outcome(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static @Nullable String run(List<String> command, int seconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out.join() : null;
        } catch (IOException e) {
            return null; // npm is not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
