package dev.exxec.mcp;

import dev.exxec.Exxec;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code exxec serve} over stdio in a child JVM of the tests, backed by {@code local}: what the
 * {@code mcp} provider starts with its {@code command} key.
 */
public final class StdioServerMain {
    private StdioServerMain() {}

    /** The command line that starts it with this JVM and class path. */
    static List<String> command() {
        return List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                StdioServerMain.class.getName());
    }

    public static void main(String[] args) throws InterruptedException {
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true)); // stdout is protocol only
        ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of("outputLimit", "200m")))
                .maxOutputChars(50 << 20)
                .build()
                .serveStdio(System.in, out);
        System.exit(0);
    }
}
