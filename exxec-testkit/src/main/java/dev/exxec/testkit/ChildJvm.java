package dev.exxec.testkit;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one execution in a separate JVM: to prove that memory stays bounded in a small heap, and to
 * give the code a host variable this JVM does not have.
 *
 * <p>{@link #main} takes the provider id, the language, the source (Base64) and {@code key=value}
 * config arguments, and prints the result as {@code exxec-kit:NAME=VALUE} lines.
 */
final class ChildJvm {
    private static final String PREFIX = "exxec-kit:";
    /** Most stdout shown back to the parent; the rest is only counted. */
    private static final int STDOUT_SHOWN = 4096;

    private ChildJvm() {}

    /**
     * What the child reported.
     *
     * @param exitCode the child JVM's exit code
     * @param fields the reported values by name
     * @param output everything the child printed, for failure messages
     */
    record Report(int exitCode, Map<String, String> fields, String output) {
        String field(String name) {
            String value = fields.get(name);
            if (value == null) {
                throw new AssertionError(
                        "the child JVM reported no " + name + " (exit code " + exitCode + "):\n" + output);
            }
            return value;
        }

        String stdout() {
            return new String(Base64.getDecoder().decode(field("stdout")), StandardCharsets.UTF_8);
        }
    }

    /** The execution's own timeout when the caller gives none. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
    /** The system property that carries the execution's timeout, in milliseconds, to the child. */
    private static final String TIMEOUT_PROPERTY = "exxec.kit.timeout";

    /**
     * Runs {@code source} in a new JVM with the given heap limit and extra host variables, on an
     * environment made from the factory's configuration and {@code overrides}.
     */
    static Report run(
            EnvironmentFactory factory,
            Map<String, ?> overrides,
            Language language,
            String source,
            String maxHeap,
            Map<String, String> hostEnv)
            throws IOException, InterruptedException {
        return run(factory, overrides, language, source, maxHeap, hostEnv, DEFAULT_TIMEOUT);
    }

    /**
     * Like {@link #run(EnvironmentFactory, Map, Language, String, String, Map)}, with the execution's
     * own timeout.
     */
    static Report run(
            EnvironmentFactory factory,
            Map<String, ?> overrides,
            Language language,
            String source,
            String maxHeap,
            Map<String, String> hostEnv,
            Duration timeout)
            throws IOException, InterruptedException {
        Map<String, Object> config = new LinkedHashMap<>(factory.config());
        config.putAll(overrides);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-XX:+ExitOnOutOfMemoryError",
                "-D" + TIMEOUT_PROPERTY + "=" + timeout.toMillis(),
                "-cp",
                System.getProperty("java.class.path"),
                ChildJvm.class.getName(),
                factory.providerId(),
                language.id(),
                Base64.getEncoder().encodeToString(source.getBytes(StandardCharsets.UTF_8))));
        flatten("", config, command);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(hostEnv);
        Process process = builder.start();
        process.getOutputStream().close();
        // The child prints little: reading to the end cannot fill memory. On its own thread, so that
        // a child that hangs is killed at the deadline below rather than blocking the read forever.
        StringBuilder collected = new StringBuilder();
        Thread reader = Thread.ofPlatform()
                .daemon()
                .start(
                        () -> { // a pipe read: not on a virtual thread
                            try {
                                String text =
                                        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                                synchronized (collected) {
                                    collected.append(text);
                                }
                            } catch (IOException e) {
                                // the child was killed: what it printed is lost, the assertion below says so
                            }
                        });
        boolean ended = process.waitFor(2, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(Duration.ofSeconds(10));
        String output;
        synchronized (collected) {
            output = collected.toString();
        }
        if (!ended) {
            throw new AssertionError("the child JVM did not end within 2 minutes:\n" + output);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith(PREFIX)) {
                int eq = line.indexOf('=');
                fields.put(
                        line.substring(PREFIX.length(), eq),
                        line.substring(eq + 1).strip());
            }
        }
        return new Report(process.exitValue(), fields, output);
    }

    /** Config as {@code key=value} arguments: maps become {@code key.name}, lists comma-separated. */
    private static void flatten(String prefix, Map<?, ?> config, List<String> out) {
        for (Map.Entry<?, ?> e : config.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> map) {
                flatten(key + ".", map, out);
            } else if (e.getValue() instanceof Collection<?> list) {
                out.add(key + "="
                        + String.join(",", list.stream().map(String::valueOf).toList()));
            } else {
                out.add(key + "=" + e.getValue());
            }
        }
    }

    /** Runs one execution and reports it; exit code 0 when it ran (whatever its result). */
    public static void main(String[] args) {
        String providerId = args[0];
        Language language = Language.of(args[1]);
        String source = new String(Base64.getDecoder().decode(args[2]), StandardCharsets.UTF_8);
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            config.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Duration timeout = Duration.ofMillis(Long.getLong(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT.toMillis()));
        ExecutionResult r;
        try (ExecutionEnvironment env = Exxec.environment(providerId, config)) {
            r = env.execute(Code.of(language, source).withTimeout(timeout));
        }
        String shown =
                r.stdout().length() <= STDOUT_SHOWN ? r.stdout() : r.stdout().substring(0, STDOUT_SHOWN);
        Runtime rt = Runtime.getRuntime();
        System.out.println(PREFIX + "success=" + r.success());
        System.out.println(PREFIX + "errorType=" + r.errorType());
        System.out.println(PREFIX + "error=" + String.valueOf(r.error()).replace('\n', ' '));
        System.out.println(PREFIX + "durationMillis=" + r.duration().toMillis());
        System.out.println(PREFIX + "stdoutLength=" + r.stdout().length());
        System.out.println(PREFIX + "stdoutTruncated=" + r.stdoutTruncated());
        System.out.println(
                PREFIX + "stdout=" + Base64.getEncoder().encodeToString(shown.getBytes(StandardCharsets.UTF_8)));
        System.out.println(PREFIX + "maxHeap=" + rt.maxMemory());
        System.out.println(PREFIX + "usedHeap=" + (rt.totalMemory() - rt.freeMemory()));
    }
}
