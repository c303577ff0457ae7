package dev.exxec.cli;

import dev.exxec.ExecutionEvent;
import dev.exxec.ExecutionResult;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON the CLI prints: one compact object per line, keys in a fixed order, {@code null}s written
 * out so that every result object has the same shape.
 */
final class JsonOutput {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private JsonOutput() {}

    /**
     * A value as compact JSON text, in which no character a terminal acts on is left raw: Jackson
     * escapes the C0 controls, and DEL and the C1 controls (U+0080 to U+009F, where U+009B is a CSI)
     * are escaped here too. They can only occur inside strings, so the JSON means the same.
     */
    static String write(@Nullable Object value) {
        String json = MAPPER.writeValueAsString(value);
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c >= 0x7f && c <= 0x9f) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? json : out.toString();
    }

    /** Prints a value as one line and flushes, so a reader of a pipe sees it at once. */
    static void println(PrintStream out, @Nullable Object value) {
        out.println(write(value));
        out.flush();
    }

    /** The fields of a result, in the documented order. */
    static Map<String, @Nullable Object> result(ExecutionResult r) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("success", r.success());
        m.put("result", r.result());
        m.put("resultType", r.resultType());
        m.put("stdout", r.stdout());
        m.put("stderr", r.stderr());
        m.put("exitCode", r.exitCode());
        m.put("error", r.error());
        m.put("errorType", r.errorType());
        m.put("stoppedBy", r.stoppedBy() == null ? null : r.stoppedBy().name());
        m.put("traceback", r.traceback());
        m.put("durationMs", r.duration().toMillis());
        m.put("stdoutTruncated", r.stdoutTruncated());
        m.put("stderrTruncated", r.stderrTruncated());
        if (!r.outputs().isEmpty()) {
            m.put(
                    "outputs",
                    r.outputs().stream()
                            .map(o -> Map.of("mimeType", o.mimeType(), "data", o.data()))
                            .toList());
        }
        return m;
    }

    /** A streamed line: {@code event} first, then the rest. */
    static Map<String, @Nullable Object> event(String event, Map<String, @Nullable Object> fields) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.putAll(fields);
        return m;
    }

    /** A non-terminal event as a streamed line; terminal events become {@link #result} lines instead. */
    static Map<String, @Nullable Object> started(ExecutionEvent.Started s) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("command", s.command());
        m.put("pid", s.pid());
        return event("started", m);
    }

    /** An output event as a streamed line. */
    static Map<String, @Nullable Object> output(ExecutionEvent.Output o) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("stream", o.stream().name().toLowerCase(Locale.ROOT));
        m.put("text", o.text());
        return event("output", m);
    }
}
