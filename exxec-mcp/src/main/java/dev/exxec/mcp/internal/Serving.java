package dev.exxec.mcp.internal;

import dev.exxec.BackgroundProcess;
import jakarta.servlet.AsyncContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one server holds for its clients, and the rules for letting go of it: the environments,
 * the running calls, the named sessions and background processes, each capped ({@link Limits}); a
 * session that ends ({@code DELETE}, idle expiry, the end of stdin) takes all of its own with it at
 * once, and {@link #close()} takes everything. Calls run on platform threads of their own (at most
 * {@link Limits#maxCalls()}), never on the SDK's shared scheduler. Thread-safe.
 */
public final class Serving implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Serving.class);
    private static final int REMEMBERED_ENDED = 4096;

    private final Environments environments;
    private final Limits limits;
    private final Usage usage;
    private final Calls calls = new Calls();
    private final ServedProcesses processes;
    private final NamedSessions named;
    // Idle threads go after a few seconds: a burst of calls leaves no lasting crowd of threads.
    private final ExecutorService callThreads = cached("exxec-mcp-call-");
    private final ExecutorService closer = cached("exxec-mcp-close-");
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(daemon("exxec-mcp-sweep-"));
    private final Map<String, List<AsyncContext>> streams = new ConcurrentHashMap<>();
    private final Map<String, Integer> streamCounts = new java.util.HashMap<>(); // guarded by itself
    private int streamsOpen; // guarded by streamCounts
    private final Set<String> ended = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_ENDED;
        }
    }));
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch closedDone = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean expireHttpSessions;

    public Serving(Environments environments, Limits limits) {
        this.environments = environments;
        this.limits = limits;
        this.usage = new Usage(limits);
        this.processes = new ServedProcesses(limits);
        this.named = new NamedSessions(limits, closer);
        long period = Math.clamp(
                Collections.min(List.of(limits.sessionIdle(), limits.namedSessionIdle(), limits.processRetention()))
                                .toMillis()
                        / 4,
                50,
                5_000);
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    private static ExecutorService cached(String prefix) {
        return new java.util.concurrent.ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                5,
                TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(),
                daemon(prefix));
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r ->
                Thread.ofPlatform().daemon().name(prefix + n.incrementAndGet()).unstarted(r);
    }

    public Limits limits() {
        return limits;
    }

    public Usage usage() {
        return usage;
    }

    public Calls calls() {
        return calls;
    }

    Environments environments() {
        return environments;
    }

    ServedProcesses processes() {
        return processes;
    }

    NamedSessions named() {
        return named;
    }

    /** Where tool calls run: platform threads, at most {@link Limits#maxCalls()} busy (the permits cap them). */
    ExecutorService callThreads() {
        return callThreads;
    }

    /** Over HTTP, sessions expire when idle (stdio has one client, which ends by closing stdin). */
    public void expireIdleHttpSessions() {
        expireHttpSessions = true;
    }

    /** Whether this HTTP session ended here (deleted or expired); its id is refused from then on. */
    public boolean ended(String session) {
        return ended.contains(session);
    }

    /**
     * Whether calls of this session are refused: over HTTP, a session that is not open here (it ended,
     * even if its id was forgotten since), so that nothing is made for a session nobody will close.
     */
    boolean refuses(String session) {
        return expireHttpSessions && !usage.isOpen(session);
    }

    /**
     * Listening streams ({@code GET}) of one session in play at once: the SDK keeps one a session (a new
     * one ends the one before), so this only bounds GETs racing each other; another is refused (409).
     */
    static final int STREAMS_PER_SESSION = 2;

    /** Why another listening stream is refused: the HTTP status and the message. */
    record StreamRefusal(int status, String message) {}

    /**
     * Listening streams open at once in all: a quarter of the connections ({@code --max-connections}),
     * so that calls (POSTs) always find a connection however many streams clients ask for.
     */
    int maxStreams() {
        return Math.max(1, limits.maxConnections() / 4);
    }

    /**
     * Takes a place for a listening stream of this session, or says why there is none; a place taken
     * is given back with {@link #releaseStream}, which {@link #stream} does when the stream ends.
     */
    @Nullable
    StreamRefusal reserveStream(String session) {
        synchronized (streamCounts) {
            int mine = streamCounts.getOrDefault(session, 0);
            if (mine >= STREAMS_PER_SESSION) {
                return new StreamRefusal(
                        409,
                        "this MCP session already has " + mine + " listening streams (GET) opening, the most"
                                + " a session may; a session listens on one stream, and a new one ends the one before");
            }
            if (streamsOpen >= maxStreams()) {
                return new StreamRefusal(
                        503,
                        "the server holds " + streamsOpen + " listening streams (GET) open, the most it holds (a"
                                + " quarter of exxec serve --max-connections); listen later: answers to calls come"
                                + " on their POST without one");
            }
            streamCounts.put(session, mine + 1);
            streamsOpen++;
            return null;
        }
    }

    /** Gives back a place {@link #reserveStream} took. */
    void releaseStream(String session) {
        synchronized (streamCounts) {
            Integer mine = streamCounts.get(session);
            if (mine == null) {
                return;
            }
            if (mine <= 1) {
                streamCounts.remove(session);
            } else {
                streamCounts.put(session, mine - 1);
            }
            streamsOpen--;
        }
    }

    /**
     * A listening stream ({@code GET}) of a session, in a place {@link #reserveStream} took: completed
     * when the session ends, and its place given back when it ends.
     */
    void stream(String session, AsyncContext context) {
        AtomicBoolean released = new AtomicBoolean();
        List<AsyncContext> list = streams.computeIfAbsent(session, s -> new CopyOnWriteArrayList<>());
        Runnable end = () -> {
            list.remove(context);
            if (released.compareAndSet(false, true)) {
                releaseStream(session);
            }
        };
        context.addListener(new jakarta.servlet.AsyncListener() {
            @Override
            public void onComplete(jakarta.servlet.AsyncEvent event) {
                end.run();
            }

            @Override
            public void onTimeout(jakarta.servlet.AsyncEvent event) {
                end.run();
            }

            @Override
            public void onError(jakarta.servlet.AsyncEvent event) {
                end.run();
            }

            @Override
            public void onStartAsync(jakarta.servlet.AsyncEvent event) {}
        });
        if (!usage.isOpen(session)) {
            end.run();
            streams.remove(session, list);
            return;
        }
        list.add(context);
    }

    /**
     * A session ended: its calls are stopped, its environment (per-session mode) closed and its
     * background processes killed, at once; returns when they are gone.
     */
    public void endSession(String session) {
        ended.add(session);
        usage.closed(session);
        calls.cancelSession(session);
        List<BackgroundProcess> mine = processes.endSession(session);
        List<Runnable> work = new ArrayList<>();
        work.add(() -> environments.endSession(session));
        for (BackgroundProcess p : mine) {
            work.add(() -> ServedProcesses.close(p));
        }
        runAll(work);
        List<AsyncContext> open = streams.remove(session);
        if (open != null) {
            for (AsyncContext c : open) {
                try {
                    c.complete();
                } catch (RuntimeException e) {
                    LOG.debug("completing a stream of session {} failed", session, e);
                }
            }
        }
    }

    /** Runs these at once, each on a platform thread, and waits for all. */
    private void runAll(List<Runnable> work) {
        if (work.size() == 1) {
            work.get(0).run();
            return;
        }
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (Runnable r : work) {
            done.add(closer.submit(r));
        }
        for (java.util.concurrent.Future<?> f : done) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.debug("ending a session failed", e.getCause());
            }
        }
    }

    void sweep() {
        try {
            long now = System.nanoTime();
            if (expireHttpSessions) {
                for (String s : usage.idleSessions(now)) {
                    LOG.debug("session {} sat idle for {}; ending it", s, limits.sessionIdle());
                    closer.execute(() -> endSession(s));
                }
            }
            named.expire(now);
            processes.sweep(now);
        } catch (RuntimeException e) {
            LOG.warn("sweeping idle sessions failed", e);
        }
    }

    /**
     * Stops every call, then closes every environment (killing what runs there); idempotent, and a
     * second caller returns only when the first is done (a shutdown hook must not let the JVM end
     * while the end of stdin is still closing things).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            try {
                closedDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            closeNow();
        } finally {
            closedDone.countDown();
        }
    }

    private void closeNow() {
        sweeper.shutdownNow();
        calls.cancelAll();
        try {
            List<Runnable> work = new ArrayList<>();
            for (String s : usage.openSessions()) {
                List<BackgroundProcess> mine = processes.endSession(s);
                for (BackgroundProcess p : mine) {
                    work.add(() -> ServedProcesses.close(p));
                }
            }
            work.add(environments::close);
            runAll(work);
        } finally {
            callThreads.shutdownNow();
            closer.shutdown();
        }
    }

    /** The longest a call may name, for messages. */
    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }
}
