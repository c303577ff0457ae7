package dev.exxec.mcp.internal;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Language;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The environments behind a server: one shared by every session, or one per MCP session, made on the
 * session's first call and closed when the session ends or the server closes. Thread-safe.
 */
public final class Environments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Environments.class);

    private final Supplier<ExecutionEnvironment> factory;
    private final boolean perSession;
    private final Map<String, ExecutionEnvironment> bySession = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable ExecutionEnvironment shared;
    private volatile @Nullable Offer offer;

    /**
     * What the environments offer the tools: the languages they really run, in {@link Language}'s order,
     * and the one a call without a language gets.
     *
     * @param languages never empty
     * @param defaultLanguage one of {@code languages}
     */
    public record Offer(List<Language> languages, Language defaultLanguage) {
        public Offer {
            languages = List.copyOf(languages);
        }

        static Offer of(ExecutionEnvironment env) {
            List<Language> languages = env.capabilities().languages().stream()
                    .sorted(Comparator.naturalOrder())
                    .toList();
            return new Offer(languages, env.defaultLanguage());
        }
    }

    public Environments(Supplier<ExecutionEnvironment> factory, boolean perSession) {
        this.factory = factory;
        this.perSession = perSession;
    }

    /**
     * Starts the shared environment now, so that a configuration error stops the server at once; in
     * per-session mode one environment is made and closed for the same reason and to learn what
     * environments offer.
     */
    public void startShared() {
        offer();
    }

    /**
     * What the environments offer, learnt once from a real environment (the shared one, or in
     * per-session mode one made and closed for it): a server advertises only what its environments run.
     */
    public Offer offer() {
        Offer known = offer;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (offer == null) {
                if (perSession) {
                    try (ExecutionEnvironment probe = factory.get()) {
                        offer = Offer.of(probe);
                    }
                } else {
                    offer = Offer.of(of(""));
                }
            }
            return offer;
        }
    }

    /** The environment of a session. */
    public ExecutionEnvironment of(String session) {
        if (closed.get()) {
            throw new IllegalStateException("the MCP server is closed");
        }
        if (!perSession) {
            ExecutionEnvironment env = shared;
            if (env == null) {
                synchronized (this) {
                    env = shared;
                    if (env == null) {
                        env = factory.get();
                        shared = env;
                    }
                }
            }
            return env;
        }
        ExecutionEnvironment env = bySession.computeIfAbsent(session, s -> {
            ExecutionEnvironment made = factory.get();
            LOG.debug("session {} got environment {}", s, made.id());
            return made;
        });
        if (closed.get()) { // closed while it was made: it must not outlive the server
            env.close();
            throw new IllegalStateException("the MCP server is closed");
        }
        return env;
    }

    /** Closes the environment of a session that ended (per-session mode only). */
    public void endSession(String session) {
        ExecutionEnvironment env = bySession.remove(session);
        if (env != null) {
            LOG.debug("session {} ended; closing environment {}", session, env.id());
            env.close();
        }
    }

    /** How many environments are open. */
    public int open() {
        if (closed.get()) {
            return 0;
        }
        return bySession.size() + (shared != null ? 1 : 0);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ExecutionEnvironment> all = new ArrayList<>(bySession.values());
        bySession.clear();
        ExecutionEnvironment env = shared;
        if (env != null) {
            all.add(env);
        }
        RuntimeException failure = null;
        for (ExecutionEnvironment e : all) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
