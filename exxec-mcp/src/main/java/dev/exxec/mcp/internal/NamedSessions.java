package dev.exxec.mcp.internal;

import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Language;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions {@code execute_code} calls name: one per environment, name and language, made on first
 * use and closed when idle longer than a limit (checked at each call) or when their environment
 * closes.
 */
final class NamedSessions {
    private final Duration idle;
    private final Map<String, Named> sessions = new ConcurrentHashMap<>();

    private static final class Named {
        final ExecutionEnvironment env;
        final CodeSession session;
        volatile long lastUsed = System.nanoTime();

        Named(ExecutionEnvironment env, CodeSession session) {
            this.env = env;
            this.session = session;
        }
    }

    NamedSessions(Duration idle) {
        this.idle = idle;
    }

    /** The session of that name, made when there is none (or the last one expired). */
    CodeSession get(ExecutionEnvironment env, String name, Language language) {
        expire();
        String key = env.id() + "\u0000" + language + "\u0000" + name;
        Named named = sessions.computeIfAbsent(key, k -> new Named(env, env.session(language)));
        named.lastUsed = System.nanoTime();
        return named.session;
    }

    private void expire() {
        long now = System.nanoTime();
        sessions.entrySet().removeIf(e -> {
            Named n = e.getValue();
            boolean gone = n.env.isClosed() || now - n.lastUsed > idle.toNanos();
            if (gone) {
                n.session.close();
            }
            return gone;
        });
    }
}
