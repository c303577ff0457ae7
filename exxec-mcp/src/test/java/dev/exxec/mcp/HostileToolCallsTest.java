package dev.exxec.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Exxec;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the second hostile review (after issue 13) found in {@code exxec serve}'s file tools: the code
 * prepares the workspace, the agent makes the most ordinary calls ({@code read_file}, {@code
 * list_files}), and the server does far more than its output cap says. Found with {@code exxec serve
 * --provider sandbox}; the tools are the same on every provider, so these run on {@code local}.
 */
class HostileToolCallsTest {
    private static final int MAX_OUTPUT = 2000;

    private static ExxecMcpServer server;
    private static ExxecMcpServer.HttpEndpoint endpoint;

    @BeforeAll
    static void start() {
        server = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                .maxOutputChars(MAX_OUTPUT)
                .perSession(true)
                .build();
        endpoint = server.serveHttp("127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    private static McpSyncClient client() {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(
                                endpoint.uri().resolve("/").toString())
                        .endpoint(ExxecMcpServer.HTTP_PATH)
                        .build())
                .requestTimeout(Duration.ofSeconds(120))
                .build();
        client.initialize();
        return client;
    }

    private static String text(CallToolResult r) {
        StringBuilder s = new StringBuilder();
        for (McpSchema.Content c : r.content()) {
            if (c instanceof McpSchema.TextContent t) {
                s.append(t.text());
            }
        }
        return s.toString();
    }

    /**
     * Bytes this JVM allocated on its heap so far, over all threads: those ended included where the JDK
     * counts them ({@code getTotalThreadAllocatedMemory}, JDK 22+), else the live ones.
     */
    private static long allocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            return (Long) com.sun.management.ThreadMXBean.class
                    .getMethod("getTotalThreadAllocatedMemory")
                    .invoke(threads);
        } catch (ReflectiveOperationException e) {
            long sum = 0;
            for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                sum += Math.max(0, bytes);
            }
            return sum;
        }
    }

    /**
     * {@code read_file} refuses a file larger than four times its cap after a {@code stat}, then reads
     * the file whole by its name again: a background process that keeps renaming a small file and a
     * large (sparse) one onto the same name wins the race most of the time, and each won call reads the
     * large file into the server's heap (then decodes it to a String, then refuses it as too long).
     *
     * <p>Found through {@code exxec serve --provider sandbox}: {@code run_command "truncate -s 1000M
     * big; echo hi > small"}, {@code start_process} a Python loop of {@code os.link('big','t1');
     * os.replace('t1','x'); os.link('small','t2'); os.replace('t2','x')}, then {@code read_file x}
     * 200 times: 29 of them answered "x has 1048576000 characters" (the whole gigabyte read and
     * decoded); after about 30 the server's old generation was 99% full (4.1 of 4.1 GB), it answered
     * nothing more, and did not exit when its client closed stdin, so the background process (and its
     * sandbox) lived on until the JVM was killed. The fix: read at most the cap (plus one byte) through
     * the handle that was checked, never the whole file.
     */
    @Test
    @Timeout(300)
    void readFileNeverReadsMoreThanItsCapWhileTheCodeSwapsTheFile() {
        try (McpSyncClient client = client()) {
            CallToolResult made = client.callTool(new CallToolRequest(
                    "execute_code",
                    Map.of(
                            "code",
                            "import os\n"
                                    + "with open('big', 'wb') as f:\n"
                                    + "    f.truncate(64 << 20)\n"
                                    + "with open('small', 'w') as f:\n"
                                    + "    f.write('hi')\n"
                                    + "os.link('small', 'x')\n")));
            assertThat(made.isError()).as(made.toString()).isFalse();
            CallToolResult swapper = client.callTool(new CallToolRequest(
                    "start_process",
                    Map.of(
                            "command",
                            "python3 -c \"import os\nwhile True:\n"
                                    + "    os.link('big', 't1'); os.replace('t1', 'x')\n"
                                    + "    os.link('small', 't2'); os.replace('t2', 'x')\n\"")));
            assertThat(swapper.isError()).as(swapper.toString()).isFalse();
            long before = allocated();
            List<String> fullReads = new ArrayList<>();
            // Stops at the first call that shows the bound broken: each costs the server a 64 MiB read (the test JVM
            // has 512 MiB).
            for (int i = 0; i < 40 && allocated() - before < (48L << 20); i++) {
                String t = text(client.callTool(new CallToolRequest("read_file", Map.of("path", "x"))));
                if (t.contains("has " + (64 << 20) + " characters")) {
                    fullReads.add(t);
                }
            }
            long heap = allocated() - before;
            assertThat(heap)
                    .as(
                            "bytes the JVM allocated for 40 read_file calls capped at %d characters"
                                    + " (%d of them report the whole 64 MiB file as read: %s)",
                            MAX_OUTPUT, fullReads.size(), fullReads.isEmpty() ? "" : fullReads.get(0))
                    .isLessThan(48L << 20);
        }
    }

    /**
     * {@code list_files} has no cap at all: {@code --max-output} caps each output stream and a file,
     * not a listing. One call of the code (16 s) made 300,000 files in a directory; with {@code
     * --max-output 2000}, {@code list_files} of it returned 63 million characters of text plus 300,000
     * structured entries. With more files the result alone exhausts the server's heap (and the model's
     * context). The fix: cap the entries of a listing (say how many were left out), as output is capped.
     */
    @Test
    @Timeout(300)
    void listFilesIsBoundedByTheOutputCap() {
        try (McpSyncClient client = client()) {
            CallToolResult made = client.callTool(new CallToolRequest(
                    "execute_code",
                    Map.of(
                            "code",
                            "import os\n" + "os.mkdir('many')\n"
                                    + "for i in range(20000):\n"
                                    + "    open('many/%0100d' % i, 'w').close()\n")));
            assertThat(made.isError()).as(made.toString()).isFalse();
            CallToolResult listed = client.callTool(new CallToolRequest("list_files", Map.of("path", "many")));
            int size = text(listed).length()
                    + String.valueOf(listed.structuredContent()).length();
            assertThat(size)
                    .as(
                            "characters of a list_files result with --max-output %d (text and structured content)",
                            MAX_OUTPUT)
                    .isLessThan(50 * MAX_OUTPUT);
        }
    }

    /**
     * {@code list_files} writes each name as it is, one entry a line: a name holding a newline makes the
     * model see entries that do not exist (here {@code id_rsa  1675 bytes} and {@code README_FIRST.md}),
     * and a name holding an escape sequence reaches a terminal that shows the text. The structured
     * content is right; the text is what a model reads. The fix: quote or escape names that are not
     * printable.
     */
    @Test
    @Timeout(120)
    void listFilesTextShowsOnlyTheEntriesThatExist() {
        try (McpSyncClient client = client()) {
            CallToolResult made = client.callTool(new CallToolRequest(
                    "execute_code",
                    Map.of(
                            "code",
                            "import os\n" + "os.mkdir('forged')\n"
                                    + "open('forged/notes.txt  2 bytes\\nid_rsa  1675 bytes\\nREADME_FIRST.md', 'w')"
                                    + ".write('x')\n")));
            assertThat(made.isError()).as(made.toString()).isFalse();
            String text = text(client.callTool(new CallToolRequest("list_files", Map.of("path", "forged"))));
            assertThat(text.lines().toList())
                    .as("lines of list_files' text for a directory that holds one file")
                    .hasSize(1)
                    .noneMatch(line -> line.startsWith("id_rsa") || line.startsWith("README_FIRST.md"));
        }
    }

    /**
     * Hostile review (issue 15): an {@code env} value of JSON {@code null} crashed the tool with an
     * internal error (-32603, a NullPointerException's message); it is now invalid params naming the
     * variable, as a number, a boolean or an object is. ({@code 1e400} reaches exxec as the string
     * "Infinity": the MCP SDK's JSON mapping quotes the non-finite double before the tool sees it.)
     */
    @Test
    @Timeout(120)
    void envValuesThatAreNullAreRefusedByName() throws Exception {
        RawHttpMcp raw = RawHttpMcp.open(endpoint.uri());
        try {
            for (String tool : List.of("execute_code", "run_command")) {
                String what = tool.equals("execute_code")
                        ? "\"code\":\"print(1)\",\"language\":\"python\""
                        : "\"command\":\"true\"";
                for (String value : List.of("null", "1", "true", "[]")) {
                    String body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\""
                            + tool + "\",\"arguments\":{" + what + ",\"env\":{\"A\":" + value + "}}}}";
                    String answer =
                            RawHttpMcp.post(endpoint.uri(), raw.session(), body).body();
                    assertThat(answer)
                            .as("%s env A=%s", tool, value)
                            .contains("-32602")
                            .contains("the value of 'A' must be a string")
                            .doesNotContain("NullPointer")
                            .doesNotContain("getClass");
                }
            }
        } finally {
            raw.delete();
        }
    }
}
