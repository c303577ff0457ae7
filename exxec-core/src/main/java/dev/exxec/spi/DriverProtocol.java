package dev.exxec.spi;

import dev.exxec.Code;
import dev.exxec.internal.Ids;
import dev.exxec.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The protocol between exxec and its language drivers, the small programs (resource files under
 * {@code dev/exxec/drivers/}) that run the user's code in an interpreter and report its result.
 *
 * <p>A driver reads from standard input one header line, {@code exxec-driver/1} followed by
 * tab-separated {@code key=value} fields, then the program's source as UTF-8 until end of file. It
 * runs the program (its {@code main()}, awaited when async, or its {@code _result}) and writes one
 * JSON record either to a file ({@code file=PATH}, opened before the program runs) or as one line on
 * standard output that starts with a per-execution random marker ({@code marker=TEXT}). Keys:
 * <ul>
 *   <li>{@code file} / {@code marker}: the result channel;
 *   <li>{@code support}: Python's support module path;
 *   <li>{@code setsid=1}: Python starts a new session before running the program;
 *   <li>{@code language}: {@code javascript} or {@code typescript} for the JavaScript driver;
 *   <li>{@code transpiler}: {@code esbuild:MODULE}, {@code typescript:MODULE} or {@code native};
 *   <li>{@code unsetenv}: comma-separated variables the launcher set but the caller did not;
 *   <li>{@code name}: what tracebacks call the program ({@link dev.exxec.Code#name()}), {@code <code>}
 *       when absent; a label only, never opened.
 * </ul>
 * The record is {@code {"ok":true,"value":...,"type":...}} or {@code
 * {"ok":false,"error":...,"errorType":...,"traceback":...}}. The program never sees the header, so it
 * cannot learn the marker or the file from it; a program that finds them anyway (in the driver's
 * memory) can write a record, but never more than a result of its own: what exxec did to the call
 * ({@link dev.exxec.ExecutionResult#stoppedBy()}) never comes from a record.
 *
 * <p>Python drivers run with {@link #PYTHON_ISOLATED}. Drivers load everything they need from the
 * interpreter's installation and their own directory, never from the working directory.
 */
public final class DriverProtocol {
    /** The header's first field. */
    public static final String VERSION = "exxec-driver/1";
    /** The Python driver. */
    public static final String PYTHON_DRIVER = "python_driver.py";
    /** The Python driver's on-demand support module. */
    public static final String PYTHON_SUPPORT = "python_support.py";
    /** The JavaScript and TypeScript driver (CommonJS, also run by Deno). */
    public static final String JAVASCRIPT_DRIVER = "javascript_driver.cjs";
    /** The Python zygote's file name: one started interpreter that forks a child per execution. */
    public static final String PYTHON_ZYGOTE = "python_zygote.py";
    /** The Python session driver's file name ({@link InterpreterSession}). */
    public static final String PYTHON_SESSION = "python_session.py";
    /** The JavaScript session driver's file name ({@link InterpreterSession}). */
    public static final String JAVASCRIPT_SESSION = "javascript_session.cjs";

    /**
     * The flag that goes right after the Python interpreter wherever it runs a driver, a session
     * driver or the zygote: isolated mode. Nothing of the workspace is then on the module path while
     * the interpreter starts and the driver loads (neither the working directory, nor the user site
     * in {@code HOME}, which is the workspace, nor {@code PYTHONPATH}); the driver itself puts the
     * working directory and the caller's {@code PYTHONPATH} after the standard library, so that a
     * file an earlier call left in the workspace never stands in for a module the driver imports
     * after the program ran. The other {@code PYTHON*} variables configure no interpreter exxec
     * starts for code; programs still see them in {@code os.environ}.
     */
    public static final String PYTHON_ISOLATED = "-I";

    private static final Map<String, byte[]> RESOURCES = new ConcurrentHashMap<>();

    private DriverProtocol() {}

    /** A driver file's content. */
    public static byte[] resource(String name) {
        return RESOURCES
                .computeIfAbsent(name, n -> {
                    try (InputStream in = DriverProtocol.class.getResourceAsStream("/dev/exxec/drivers/" + n)) {
                        if (in == null) {
                            throw new IllegalStateException("driver resource missing from the class path: " + n);
                        }
                        return in.readAllBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .clone();
    }

    /** Writes the driver files into {@code directory} (created if needed) and returns it. */
    public static Path install(Path directory) throws IOException {
        Files.createDirectories(directory);
        for (String name : new String[] {
            PYTHON_DRIVER, PYTHON_SUPPORT, JAVASCRIPT_DRIVER, PYTHON_SESSION, JAVASCRIPT_SESSION, PYTHON_ZYGOTE
        }) {
            Files.write(directory.resolve(name), resource(name));
        }
        return directory;
    }

    /** A fresh result marker: a record separator character and 24 random characters. */
    public static String newMarker() {
        return "\u001eexxec-result:" + Ids.random(24) + ":";
    }

    /**
     * What a driver reads on standard input for {@code code}: the header with the code's {@link
     * Code#name() name} added when it has one, then its source.
     *
     * @throws IllegalArgumentException as {@link #request(Map, String)}
     */
    public static byte[] request(Map<String, String> header, Code code) {
        if (code.name() == null) {
            return request(header, code.source());
        }
        Map<String, String> named = new java.util.LinkedHashMap<>(header);
        named.put("name", code.name()); // Code refused control characters: no tab, no line break
        return request(named, code.source());
    }

    /**
     * What a driver reads on standard input: the header, then the source.
     *
     * @throws IllegalArgumentException when a header key or value holds a tab, a line break or '='
     *     (in a key)
     */
    public static byte[] request(Map<String, String> header, String source) {
        StringBuilder line = new StringBuilder(VERSION);
        header.forEach((key, value) -> {
            if (key.isEmpty() || key.indexOf('=') >= 0 || bad(key) || bad(value)) {
                throw new IllegalArgumentException("driver header field not representable: " + key);
            }
            line.append('\t').append(key).append('=').append(value);
        });
        line.append('\n');
        byte[] head = line.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = source.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + body.length);
        out.writeBytes(head);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static boolean bad(String s) {
        return s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    /**
     * A parsed result record.
     *
     * @param ok whether the program succeeded
     * @param value its result value (plain Java, see {@link dev.exxec.ExecutionResult#result()})
     * @param type the type name when {@code value} is a text form
     * @param error the message of the failure
     * @param errorType the exception class name of the failure
     * @param traceback the failure's trace
     * @param outputs values and figures the program displayed (sessions)
     */
    public record DriverRecord(
            boolean ok,
            @Nullable Object value,
            @Nullable String type,
            @Nullable String error,
            @Nullable String errorType,
            @Nullable String traceback,
            java.util.List<dev.exxec.RichOutput> outputs) {}

    /**
     * Parses a result record.
     *
     * @throws IllegalArgumentException when it is not a record
     */
    public static DriverRecord parse(byte[] json) {
        Object parsed = Json.parse(new String(json, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("ok") instanceof Boolean ok)) {
            throw new IllegalArgumentException("not a driver result record");
        }
        java.util.List<dev.exxec.RichOutput> outputs = new java.util.ArrayList<>();
        if (map.get("outputs") instanceof java.util.List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m
                        && m.get("mime") instanceof String mime
                        && m.get("data") instanceof String data) {
                    outputs.add(new dev.exxec.RichOutput(mime, data));
                }
            }
        }
        return new DriverRecord(
                ok,
                map.get("value"),
                string(map.get("type")),
                string(map.get("error")),
                string(map.get("errorType")),
                string(map.get("traceback")),
                java.util.List.copyOf(outputs));
    }

    private static @Nullable String string(@Nullable Object o) {
        return o == null ? null : o.toString();
    }
}
