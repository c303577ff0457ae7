package dev.exxec.mcp;

import dev.exxec.Exxec;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code exxec serve} over stdio in a child JVM of the tests, backed by {@code local}: what the
 * {@code mcp} provider starts with its {@code command} key. With {@code http} as its argument it
 * serves HTTP on a free loopback port instead (printing {@code PORT n} to stderr), with the limits of
 * {@code key=value} arguments (seconds for durations): {@code sessionIdle}, {@code processRetention},
 * {@code namedSessionIdle}. Closed on SIGTERM as {@code exxec serve} is.
 */
public final class StdioServerMain {
    private StdioServerMain() {}

    /** The command line that starts it with this JVM and class path. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "-Xmx256m",
                // The suite's small scheduler: a virtual thread pinned in a blocking read shows at once.
                "-Djdk.virtualThreadScheduler.parallelism=2",
                "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                "-cp",
                System.getProperty("java.class.path"),
                StdioServerMain.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    public static void main(String[] args) throws InterruptedException {
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true)); // stdout is protocol only
        ExxecMcpServer.Builder builder = ExxecMcpServer.builder(
                        () -> Exxec.environment("local", Map.of("outputLimit", "200m")))
                .maxOutputChars(50 << 20);
        for (int i = 1; i < args.length; i++) {
            String[] kv = (args[i].contains("=") ? args[i] : args[i] + "=0").split("=", 2);
            Duration d = Duration.ofMillis((long) (Double.parseDouble(kv[1]) * 1000));
            switch (kv[0]) {
                case "sessionIdle" -> builder.sessionIdleTimeout(d);
                case "processRetention" -> builder.processRetention(d);
                case "namedSessionIdle" -> builder.namedSessionIdleTimeout(d);
                case "perSession" -> builder.perSession(true);
                default -> throw new IllegalArgumentException("unknown setting " + kv[0]);
            }
        }
        ExxecMcpServer server = builder.build();
        server.closeOnShutdown(Duration.ofSeconds(10));
        if (args.length > 0 && args[0].equals("http")) {
            ExxecMcpServer.HttpEndpoint endpoint = server.serveHttp("127.0.0.1", 0, null);
            // stdin: "gc" collects and reports the heap in use (HEAP bytes) on stderr; its end stops.
            Thread.ofPlatform().daemon().name("soak-control").start(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.equals("gc")) {
                            System.gc();
                            Runtime r = Runtime.getRuntime();
                            System.err.println("HEAP " + (r.totalMemory() - r.freeMemory()));
                        }
                    }
                } catch (java.io.IOException e) {
                    // ends below
                }
                endpoint.close();
            });
            System.err.println("PORT " + endpoint.port());
            endpoint.awaitClose();
            System.exit(0);
        }
        server.serveStdio(System.in, out);
        System.exit(0);
    }
}
