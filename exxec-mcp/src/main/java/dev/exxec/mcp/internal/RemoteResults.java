package dev.exxec.mcp.internal;

import dev.exxec.ExecutionResult;
import dev.exxec.Stop;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A remote tool's result as an {@link ExecutionResult}: the fields themselves when the structured
 * content has them (as {@code exxec serve} sends), otherwise the text as stdout and {@code isError}
 * as a failure of type {@value #REMOTE_ERROR}.
 *
 * <p>{@link ExecutionResult#stoppedBy()} comes from the structured content's {@code stoppedBy} alone:
 * the server's own verdict, which the code it ran has no way to write (its output travels in string
 * values); never from an error type or from text.
 */
public final class RemoteResults {
    /** The error type of a failed result that names none. */
    public static final String REMOTE_ERROR = "RemoteToolError";

    private RemoteResults() {}

    public static ExecutionResult of(CallToolResult r, Duration measured) {
        String text = r.content() == null
                ? ""
                : r.content().stream()
                        .filter(c -> c instanceof McpSchema.TextContent)
                        .map(c -> ((McpSchema.TextContent) c).text())
                        .collect(Collectors.joining("\n"));
        boolean isError = Boolean.TRUE.equals(r.isError());
        if (r.structuredContent() instanceof Map<?, ?> s
                && s.get("success") instanceof Boolean success
                && s.get("stdout") instanceof String stdout) {
            ExecutionResult.Builder b = ExecutionResult.builder()
                    .success(success && !isError)
                    .result(freeze(s.get("result")), string(s.get("resultType")))
                    .stdout(stdout)
                    .stderr(s.get("stderr") instanceof String e ? e : "")
                    .exitCode(s.get("exitCode") instanceof Number n ? n.intValue() : (success ? 0 : 1))
                    .duration(s.get("durationMs") instanceof Number n ? Duration.ofMillis(n.longValue()) : measured)
                    .stdoutTruncated(Boolean.TRUE.equals(s.get("stdoutTruncated")))
                    .stderrTruncated(Boolean.TRUE.equals(s.get("stderrTruncated")));
            Stop stop = stop(s.get("stoppedBy"));
            if (stop != null) {
                b.stopped(stop, s.get("error") instanceof String e ? e : text, string(s.get("traceback")));
            } else if (!success || isError) {
                String errorType = string(s.get("errorType"));
                b.error(
                        s.get("error") instanceof String e ? e : text,
                        errorType != null ? errorType : REMOTE_ERROR,
                        string(s.get("traceback")));
            }
            return b.build();
        }
        ExecutionResult.Builder b =
                ExecutionResult.builder().success(!isError).duration(measured).exitCode(isError ? 1 : 0);
        if (isError) {
            return b.error(text, REMOTE_ERROR, null).build();
        }
        return b.stdout(text).result(freeze(r.structuredContent()), null).build();
    }

    /** A stop as {@code exxec serve} names it ({@link Stop#name()}), or null for anything else. */
    private static @Nullable Stop stop(@Nullable Object o) {
        for (Stop stop : Stop.values()) {
            if (stop.name().equals(o)) {
                return stop;
            }
        }
        return null;
    }

    private static @Nullable String string(@Nullable Object o) {
        return o instanceof String s ? s : null;
    }

    /** JSON values as the core hands them out: unmodifiable maps and lists. */
    static @Nullable Object freeze(@Nullable Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
