package dev.exxec.mcp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who uses the server now: the MCP sessions open over HTTP (when each was last heard from), and the
 * tool calls that run (in all and per session), each against its cap. Thread-safe.
 */
public final class Usage {
    private final Limits limits;
    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, AtomicInteger> callsBySession = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();

    public Usage(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** A running call; closing it ends the call's claim. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A call of {@code session} begins.
     *
     * @throws LimitExceededException when {@link Limits#maxCalls()} or {@link Limits#maxCallsPerSession()}
     *     calls run already
     */
    public Permit beginCall(String session) {
        if (calls.incrementAndGet() > limits.maxCalls()) {
            calls.decrementAndGet();
            throw new LimitExceededException("too many tool calls at once: " + limits.maxCalls()
                    + " run on this server (the cap maxCalls, exxec serve --max-calls); retry when one has ended");
        }
        AtomicInteger mine = callsBySession.compute(session, (k, v) -> {
            AtomicInteger n = v == null ? new AtomicInteger() : v;
            n.incrementAndGet();
            return n;
        });
        if (mine.get() > limits.maxCallsPerSession()) {
            endCall(session);
            throw new LimitExceededException("too many tool calls at once in this session: "
                    + limits.maxCallsPerSession()
                    + " run (the cap maxCallsPerSession, exxec serve --max-calls-per-session); retry when one has"
                    + " ended");
        }
        touch(session);
        boolean[] done = {false};
        return () -> {
            synchronized (done) {
                if (done[0]) {
                    return;
                }
                done[0] = true;
            }
            endCall(session);
            touch(session);
        };
    }

    private void endCall(String session) {
        calls.decrementAndGet();
        callsBySession.computeIfPresent(session, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    /** Calls that run now, over all sessions. */
    public int runningCalls() {
        return calls.get();
    }

    /** Calls of one session that run now. */
    int runningCalls(String session) {
        AtomicInteger n = callsBySession.get(session);
        return n == null ? 0 : n.get();
    }

    /**
     * Claims room for one more HTTP session (its {@code initialize}); false when {@link
     * Limits#maxSessions()} are open. Follow with {@link #opened} or {@link #unreserve}.
     */
    boolean reserveSession() {
        while (true) {
            int r = reserved.get();
            if (lastSeen.size() + r >= limits.maxSessions()) {
                return false;
            }
            if (reserved.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void unreserve() {
        reserved.decrementAndGet();
    }

    /** A reserved session got its id. */
    void opened(String session) {
        lastSeen.put(session, System.nanoTime());
        reserved.decrementAndGet();
    }

    /** Whether a session is open (known and not ended). */
    boolean isOpen(String session) {
        return lastSeen.containsKey(session);
    }

    /** The client was heard from now (only sessions that are open). */
    void touch(String session) {
        lastSeen.computeIfPresent(session, (k, v) -> System.nanoTime());
    }

    /** The session ended; true when it was open. */
    boolean closed(String session) {
        return lastSeen.remove(session) != null;
    }

    /** HTTP sessions open now. */
    public int sessions() {
        return lastSeen.size();
    }

    /** The open sessions that sat idle (no request, no running call) longer than the limit. */
    List<String> idleSessions(long now) {
        List<String> idle = new ArrayList<>();
        long limit = limits.sessionIdle().toNanos();
        for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
            if (now - e.getValue() > limit && runningCalls(e.getKey()) == 0) {
                idle.add(e.getKey());
            }
        }
        return idle;
    }

    Set<String> openSessions() {
        return Set.copyOf(lastSeen.keySet());
    }
}
