package dev.exxec.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Runs the CLI in this JVM with captured streams, as a user would run {@code exxec ARGS}. */
final class Cli {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Cli() {}

    /** Parses one JSON object the CLI printed. */
    static Map<String, Object> object(String json) {
        return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    }

    /** Parses one JSON array the CLI printed. */
    static List<Object> array(String json) {
        return JSON.readValue(json, new TypeReference<List<Object>>() {});
    }

    /** What one invocation did. */
    record Outcome(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Outcome run(String... args) {
        return runWithInput("", args);
    }

    static Outcome runWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** Runs as if started in {@code cwd} with the streams {@code tty} names being terminals. */
    static Outcome runAs(Tty tty, Path cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int code = Main.run(args, new StdIo(new ByteArrayInputStream(new byte[0]), o, e, tty, cwd));
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
