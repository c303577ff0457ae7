package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Language;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exxec serve} driven by the MCP Inspector's command-line mode, a client this project did not
 * write, over stdio and over streamable HTTP. The server is this build's CLI, started with the test
 * class path.
 */
class McpInspectorTest {
    @TempDir
    static Path dir;

    private static Path serveScript;

    @BeforeAll
    static void setUp() throws IOException {
        Inspector.require();
        Machine.requireLanguage(Language.PYTHON);
        // The Inspector starts a stdio server from a command line: this build's CLI, as ./exxec would run it.
        String java = ProcessHandle.current().info().command().orElse("java");
        serveScript = dir.resolve("exxec-serve");
        Files.writeString(
                serveScript,
                "#!/bin/sh\nexec '" + java + "' -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                        + "' dev.exxec.cli.Main serve \"$@\"\n");
        Files.setPosixFilePermissions(serveScript, PosixFilePermissions.fromString("rwx------"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(Inspector.Outcome o) {
        return (Map<String, Object>) o.json().get("structuredContent");
    }

    static String text(Inspector.Outcome o) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> content = (List<Map<String, Object>>) o.json().get("content");
        return (String) content.get(0).get("text");
    }

    /** The checks of the acceptance, over one transport. */
    abstract static class Acceptance {
        abstract List<String> target();

        @Test
        void listsTheTools() throws Exception {
            Inspector.Outcome o = Inspector.call(target(), "--method", "tools/list");

            assertThat(o.exitCode()).as(o.toString()).isZero();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> tools =
                    (List<Map<String, Object>>) o.json().get("tools");
            assertThat(tools)
                    .extracting(t -> t.get("name"))
                    .containsExactly(
                            "execute_code",
                            "run_command",
                            "read_file",
                            "write_file",
                            "list_files",
                            "start_process",
                            "process_output",
                            "kill_process");
            assertThat(tools).allSatisfy(t -> assertThat(t).containsKeys("description", "inputSchema"));
        }

        @Test
        void executeCodeReturns42() throws Exception {
            Inspector.Outcome o = Inspector.call(
                    target(),
                    "--method",
                    "tools/call",
                    "--tool-name",
                    "execute_code",
                    "--tool-arg",
                    "code=def main():\n    return 6 * 7\n");

            assertThat(o.exitCode()).as(o.toString()).isZero();
            assertThat(o.json()).containsEntry("isError", false);
            assertThat(structured(o)).containsEntry("success", true).containsEntry("result", 42);
            assertThat(text(o)).contains("result: 42");
        }

        @Test
        void aFailingProgramIsAnErrorResultWithItsType() throws Exception {
            Inspector.Outcome o = Inspector.call(
                    target(),
                    "--method",
                    "tools/call",
                    "--tool-name",
                    "execute_code",
                    "--tool-arg",
                    "code=int('forty-two')");

            assertThat(o.exitCode()).as(o.toString()).isZero();
            assertThat(o.json()).containsEntry("isError", true);
            assertThat(structured(o)).containsEntry("success", false).containsEntry("errorType", "ValueError");
            assertThat(text(o)).startsWith("failed: ValueError: invalid literal for int()");
        }

        @Test
        void runCommand() throws Exception {
            Inspector.Outcome o = Inspector.call(
                    target(),
                    "--method",
                    "tools/call",
                    "--tool-name",
                    "run_command",
                    "--tool-arg",
                    "command=echo one two | wc -w");

            assertThat(o.exitCode()).as(o.toString()).isZero();
            assertThat(o.json()).containsEntry("isError", false);
            assertThat(structured(o)).containsEntry("stdout", "2\n").containsEntry("exitCode", 0);
        }

        @Test
        void anUnknownToolAndAMissingArgumentAreClearErrors() throws Exception {
            Inspector.Outcome unknown =
                    Inspector.call(target(), "--method", "tools/call", "--tool-name", "format_disk");
            assertThat(unknown.exitCode()).as(unknown.toString()).isNotZero();
            assertThat(unknown.out() + unknown.err()).contains("Unknown tool");

            Inspector.Outcome missing = Inspector.call(
                    target(), "--method", "tools/call", "--tool-name", "execute_code", "--tool-arg", "language=python");
            assertThat(missing.exitCode()).as(missing.toString()).isNotZero();
            assertThat(missing.out() + missing.err()).contains("argument 'code' is required");
        }
    }

    @Nested
    class Stdio extends Acceptance {
        @Override
        List<String> target() {
            return List.of(serveScript.toString());
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Http extends Acceptance {
        private Process server;
        private String url;

        @BeforeAll
        void startServer() throws Exception {
            server = new ProcessBuilder(serveScript.toString(), "--http", "0").start();
            server.getOutputStream().close();
            BufferedReader err =
                    new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return err.readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            String line = first.get(60, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("serving MCP at (http://127\\.0\\.0\\.1:\\d+/mcp)")
                    .matcher(String.valueOf(line));
            assertThat(m.find()).as("the server's first line: " + line).isTrue();
            url = m.group(1);
            // keep draining stderr so the server never blocks on it
            Thread.ofVirtual().start(() -> {
                try {
                    while (err.readLine() != null) {}
                } catch (IOException e) {
                    // the server ended
                }
            });
        }

        @AfterAll
        void stopServer() throws InterruptedException {
            if (server != null) {
                server.destroy(); // SIGTERM: the server closes its environment on the way out
                assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }

        @Override
        List<String> target() {
            return List.of(url, "--transport", "http");
        }
    }
}
