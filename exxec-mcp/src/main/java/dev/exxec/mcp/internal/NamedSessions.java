package dev.exxec.mcp.internal;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Language;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions {@code execute_code} calls name: one per environment, name and language, made on first
 * use, capped in number, and closed when idle longer than a limit or when their environment closes.
 *
 * <p>One client's call never waits for another's: a session that runs a call is never expired (its
 * idle time starts when its last call ends), an interpreter is started outside any lock shared by
 * other names, and expired sessions are closed on another thread. Thread-safe.
 */
final class NamedSessions {
    private static final Logger LOG = LoggerFactory.getLogger(NamedSessions.class);

    private final Limits limits;
    private final Executor closer;
    private final Map<String, Named> sessions = new HashMap<>();

    private static final class Named {
        final ExecutionEnvironment env;
        final Language language;
        private @Nullable CodeSession session;
        int users; // guarded by NamedSessions.this
        long lastUsed = System.nanoTime(); // guarded by NamedSessions.this

        Named(ExecutionEnvironment env, Language language) {
            this.env = env;
            this.language = language;
        }

        /** The interpreter, started on first use; only callers of this name wait for it. */
        synchronized CodeSession session() {
            if (session == null) {
                session = env.session(language);
            }
            return session;
        }

        synchronized @Nullable CodeSession started() {
            return session;
        }
    }

    /** A session in use by one call; closing it marks the session idle from now. */
    interface Lease extends AutoCloseable {
        CodeSession session();

        @Override
        void close();
    }

    NamedSessions(Limits limits, Executor closer) {
        this.limits = limits;
        this.closer = closer;
    }

    /**
     * The session of that name for one call, made when there is none (or the last one expired).
     *
     * @throws LimitExceededException when {@link Limits#maxNamedSessions()} are open
     */
    Lease lease(ExecutionEnvironment env, String name, Language language) {
        expire(System.nanoTime());
        String key = env.id() + "\u0000" + language + "\u0000" + name;
        Named named;
        synchronized (this) {
            named = sessions.get(key);
            if (named == null) {
                if (sessions.size() >= limits.maxNamedSessions()) {
                    throw new LimitExceededException("too many named sessions: " + limits.maxNamedSessions()
                            + " are open (the cap maxNamedSessions, exxec serve --max-named-sessions); reuse one,"
                            + " or wait until one sits idle for "
                            + limits.namedSessionIdle().toSeconds()
                            + " s and is closed");
                }
                named = new Named(env, language);
                sessions.put(key, named);
            }
            named.users++;
        }
        Named leased = named;
        CodeSession session;
        try {
            session = leased.session();
        } catch (RuntimeException e) {
            synchronized (this) {
                leased.users--;
                if (leased.users == 0 && leased.started() == null) {
                    sessions.remove(key, leased);
                }
            }
            throw e;
        }
        return new Lease() {
            private boolean closed;

            @Override
            public CodeSession session() {
                return session;
            }

            @Override
            public void close() {
                synchronized (NamedSessions.this) {
                    if (!closed) {
                        closed = true;
                        leased.users--;
                        leased.lastUsed = System.nanoTime();
                    }
                }
            }
        };
    }

    /** Closes (on another thread) the sessions nobody uses that sat idle too long or lost their environment. */
    void expire(long now) {
        List<Named> gone = new ArrayList<>();
        synchronized (this) {
            long idle = limits.namedSessionIdle().toNanos();
            sessions.values().removeIf(n -> {
                boolean expired = n.users == 0 && (n.env.isClosed() || now - n.lastUsed > idle);
                if (expired) {
                    gone.add(n);
                }
                return expired;
            });
        }
        for (Named n : gone) {
            CodeSession s = n.started();
            if (s != null) {
                closer.execute(() -> {
                    try {
                        s.close();
                    } catch (RuntimeException e) {
                        LOG.debug("closing an expired session failed", e);
                    }
                });
            }
        }
    }

    /** How many are open. */
    synchronized int size() {
        return sessions.size();
    }
}
