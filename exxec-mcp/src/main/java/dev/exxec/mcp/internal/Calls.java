package dev.exxec.mcp.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tool calls that run now, by a key made of the MCP session and the JSON-RPC request id, so that a
 * client's {@code notifications/cancelled} can stop the call it names.
 *
 * <p>The SDK neither handles that notification nor tells a tool handler its request id, so the
 * {@link MessageTap} sees both messages on their way in: it stamps every {@code tools/call} with its
 * key in {@code _meta} and reports cancellations here. Thread-safe.
 */
public final class Calls {
    /** The {@code _meta} key of the stamp; whatever a client puts there itself is overwritten. */
    public static final String META_KEY = "dev.exxec/call";

    private static final int REMEMBERED = 1024;

    private final Map<String, Runnable> running = new ConcurrentHashMap<>();
    // Calls announced by the tap but not begun yet, and those cancelled in that gap; bounded, because a
    // call the SDK refuses (unknown tool) never begins.
    private final Set<String> announced = Collections.synchronizedSet(Collections.newSetFromMap(bounded()));
    private final Set<String> cancelledEarly = Collections.synchronizedSet(Collections.newSetFromMap(bounded()));

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }

    /** The key of request {@code requestId} (its JSON text) in session {@code session}. */
    static String key(String session, String requestId) {
        return session + " " + requestId;
    }

    void announce(String key) {
        announced.add(key);
    }

    /** Stops the call with this key: now if it runs, as it begins if it was announced and not begun. */
    void cancel(String key) {
        Runnable stop = running.get(key);
        if (stop != null) {
            stop.run();
        } else if (announced.contains(key)) {
            cancelledEarly.add(key);
        }
    }

    /** Stops every running call of a session (its key's first part), at once. */
    void cancelSession(String session) {
        String prefix = session + " ";
        for (Map.Entry<String, Runnable> e : running.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                e.getValue().run();
            }
        }
    }

    /** Stops every running call, at once. */
    public void cancelAll() {
        running.values().forEach(Runnable::run);
    }

    /**
     * Registers a running call; {@code stop} runs when the client cancels it (at once if it already
     * did). Close the registration when the call ends.
     */
    Registration begin(String key, Runnable stop) {
        running.put(key, stop);
        announced.remove(key);
        if (cancelledEarly.remove(key)) {
            stop.run();
        }
        return () -> running.remove(key, stop);
    }

    /** Ends a registration. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
