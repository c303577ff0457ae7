package dev.exxec.internal;

import dev.exxec.ExecutionResult;
import dev.exxec.RichOutput;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Whether a call's outcome (its value, error, traceback and rich outputs) passes a size limit, by about
 * the size of its result record as JSON (escapes included): the rule the process drivers' records
 * follow, applied where no record is written (values read in the JVM). Counts UTF-8 bytes and stops as
 * soon as the limit is passed, so a huge value costs no more than the limit to measure.
 */
public final class RecordSize {
    /** What a record holds beside its values: {@code {"ok":true,"value":...,"type":null}}. */
    private static final int RECORD_FRAME = 31;

    private RecordSize() {}

    /** Whether {@code r}'s outcome is larger than {@code limit} bytes. */
    public static boolean exceeds(ExecutionResult r, long limit) {
        Counter c = new Counter(limit);
        c.text(r.error());
        c.text(r.errorType());
        c.text(r.traceback());
        c.text(r.resultType());
        for (RichOutput output : r.outputs()) {
            c.text(output.mimeType());
            c.text(output.data());
        }
        c.value(r.result());
        return c.over();
    }

    private static final class Counter {
        private final long limit;
        private long size;

        Counter(long limit) {
            this.limit = limit;
            this.size = RECORD_FRAME;
        }

        boolean over() {
            return size > limit;
        }

        void text(@Nullable String s) {
            if (s == null || over()) {
                return;
            }
            size += 2;
            for (int i = 0; i < s.length() && !over(); i++) {
                char ch = s.charAt(i);
                size += switch (ch) {
                    case '"', '\\', '\b', '\t', '\n', '\f', '\r' -> 2; // escaped as JSON writes them
                    default -> ch < 0x20 ? 6 : ch < 0x80 ? 1 : ch < 0x800 || Character.isSurrogate(ch) ? 2 : 3;
                };
            }
        }

        /** Walks the value without recursion: a deep value costs a queue, not the stack. */
        void value(@Nullable Object root) {
            Deque<Object> pending = new ArrayDeque<>();
            pending.push(root == null ? Boolean.FALSE : root);
            while (!pending.isEmpty() && !over()) {
                Object v = pending.pop();
                switch (v) {
                    case String s -> text(s);
                    case Map<?, ?> m -> {
                        size += 2;
                        for (Map.Entry<?, ?> e : m.entrySet()) {
                            if (over()) {
                                break;
                            }
                            text(String.valueOf(e.getKey()));
                            size += 2;
                            if (e.getValue() != null) {
                                pending.push(e.getValue());
                            } else {
                                size += 4;
                            }
                        }
                    }
                    case List<?> l -> {
                        size += 2;
                        for (Object item : l) {
                            if (over()) {
                                break;
                            }
                            size += 1;
                            if (item != null) {
                                pending.push(item);
                            } else {
                                size += 4;
                            }
                        }
                    }
                    default -> size += String.valueOf(v).length();
                }
            }
        }
    }
}
