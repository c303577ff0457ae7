package dev.exxec.mcp.internal;

import dev.exxec.ExecutionResult;
import dev.exxec.Stop;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tool results: text written for a model, plus the same facts as structured content. Output longer
 * than the server's limit is cut, says so, and sets the result's truncation flag. One renderer for
 * every tool and transport. What exxec did to end a call is {@code stoppedBy} in the structured
 * content (and said first in the text), apart from the code's own error type, which the code chooses.
 */
final class Results {
    private Results() {}

    /** An execution's result; {@code isError} when it failed. */
    static CallToolResult execution(ExecutionResult r, int maxChars) {
        Cut out = Cut.of(r.stdout(), maxChars);
        Cut err = Cut.of(r.stderr(), maxChars);
        StringBuilder text = new StringBuilder();
        if (r.success()) {
            text.append("success (exit code ")
                    .append(r.exitCode())
                    .append(", ")
                    .append(r.duration().toMillis())
                    .append(" ms)\n");
            if (r.result() != null) {
                text.append("result: ").append(r.resultJson());
                if (r.resultType() != null) {
                    text.append(" (").append(r.resultType()).append(')');
                }
                text.append('\n');
            }
        } else {
            Stop stop = r.stoppedBy();
            text.append(stop != null ? "stopped by exxec (" + stop.name() + "): " : "failed: ")
                    .append(r.errorType());
            if (r.error() != null) {
                text.append(": ").append(r.error());
            }
            text.append(" (exit code ")
                    .append(r.exitCode())
                    .append(", ")
                    .append(r.duration().toMillis())
                    .append(" ms)\n");
        }
        section(text, "stdout", out, r.stdoutTruncated());
        section(text, "stderr", err, r.stderrTruncated());
        if (r.traceback() != null && !r.traceback().isBlank()) {
            text.append("traceback:\n")
                    .append(Cut.of(r.traceback(), maxChars).text())
                    .append('\n');
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("success", r.success());
        if (r.result() != null) {
            s.put("result", r.result());
        }
        putIf(s, "resultType", r.resultType());
        s.put("stdout", out.text());
        s.put("stderr", err.text());
        s.put("exitCode", r.exitCode());
        s.put("durationMs", r.duration().toMillis());
        putIf(s, "error", r.error());
        putIf(s, "errorType", r.errorType());
        // exxec's own verdict, in a field of its own: the code's output is only ever a string value
        // here, so nothing it prints can add or change this one (the text above it can be imitated).
        putIf(s, "stoppedBy", r.stoppedBy() == null ? null : r.stoppedBy().name());
        putIf(s, "traceback", r.traceback());
        s.put("stdoutTruncated", r.stdoutTruncated() || out.cut() > 0);
        s.put("stderrTruncated", r.stderrTruncated() || err.cut() > 0);
        if (!r.outputs().isEmpty()) {
            s.put(
                    "outputs",
                    r.outputs().stream()
                            .map(o -> Map.of("mimeType", o.mimeType(), "data", o.data()))
                            .toList());
        }
        return result(text.toString().stripTrailing(), s, !r.success());
    }

    private static void section(StringBuilder text, String name, Cut cut, boolean truncatedBefore) {
        if (cut.text().isEmpty() && !truncatedBefore) {
            return;
        }
        text.append(name).append(":\n").append(cut.text());
        if (!cut.text().endsWith("\n")) {
            text.append('\n');
        }
        if (cut.cut() > 0) {
            text.append("[")
                    .append(name)
                    .append(" cut here: ")
                    .append(cut.cut())
                    .append(" more characters; redirect the output to a file and read parts of it]\n");
        } else if (truncatedBefore) {
            text.append("[").append(name).append(" truncated at the environment's output limit]\n");
        }
    }

    /**
     * A name as a model may read it in a listing: as it is when every character is printable, else
     * quoted and escaped as a JSON string, so that a name holding a newline never reads as more
     * entries and one holding an escape sequence never reaches a terminal raw.
     */
    static String printable(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '"' && i == 0) {
                return dev.exxec.internal.Json.write(name);
            }
        }
        return name;
    }

    static CallToolResult ok(String text, Map<String, Object> structured) {
        return result(text, structured, false);
    }

    /** A call that exxec stopped before it had a result of its own (the client cancelled it). */
    static CallToolResult stopped(Stop stop, String message) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("success", false);
        s.put("errorType", stop.errorType());
        s.put("stoppedBy", stop.name());
        s.put("error", message);
        return result("stopped by exxec (" + stop.name() + "): " + stop.errorType() + ": " + message, s, true);
    }

    /** A failure the model can act on: a tool result with {@code isError}, not a protocol error. */
    static CallToolResult error(String errorType, String message) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("success", false);
        s.put("errorType", errorType);
        s.put("error", message);
        return result(errorType + ": " + message, s, true);
    }

    static CallToolResult result(String text, Map<String, Object> structured, boolean isError) {
        return CallToolResult.builder()
                .content(List.of(new TextContent(text)))
                .structuredContent(structured)
                .isError(isError)
                .build();
    }

    private static void putIf(Map<String, Object> m, String key, @Nullable Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** Text cut to a length, and how much was cut. */
    record Cut(String text, int cut) {
        static Cut of(String s, int max) {
            if (s.length() <= max) {
                return new Cut(s, 0);
            }
            int end = max;
            if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
                end--; // never split a surrogate pair
            }
            return new Cut(s.substring(0, end), s.length() - end);
        }
    }
}
