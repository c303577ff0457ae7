package dev.exxec.mcp.internal;

import dev.exxec.BackgroundProcess;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background processes clients started, by MCP session: capped while they run (in all and per
 * session), dropped a while after they end (so that their records and output do not pile up), and
 * killed when their session ends. Thread-safe.
 */
final class ServedProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(ServedProcesses.class);

    private final Limits limits;
    private final List<Served> all = new ArrayList<>();
    private int starting;

    private static final class Served {
        final String session;
        final BackgroundProcess process;
        long endedSeen; // 0 while it runs

        Served(String session, BackgroundProcess process) {
            this.session = session;
            this.process = process;
        }
    }

    ServedProcesses(Limits limits) {
        this.limits = limits;
    }

    /**
     * Starts a process for a session.
     *
     * @throws LimitExceededException when {@link Limits#maxProcesses()} or {@link
     *     Limits#maxProcessesPerSession()} run already
     */
    BackgroundProcess start(String session, Supplier<BackgroundProcess> start) {
        synchronized (this) {
            int running = starting;
            int mine = 0;
            for (Served s : all) {
                if (s.process.isAlive()) {
                    running++;
                    if (s.session.equals(session)) {
                        mine++;
                    }
                }
            }
            if (running >= limits.maxProcesses()) {
                throw new LimitExceededException("too many background processes: " + limits.maxProcesses()
                        + " run on this server (the cap maxProcesses, exxec serve --max-processes); stop one with"
                        + " kill_process first");
            }
            if (mine >= limits.maxProcessesPerSession()) {
                throw new LimitExceededException("too many background processes in this session: "
                        + limits.maxProcessesPerSession()
                        + " run (the cap maxProcessesPerSession, exxec serve --max-processes-per-session); stop one"
                        + " with kill_process first");
            }
            starting++;
        }
        BackgroundProcess p;
        try {
            p = start.get();
        } finally {
            synchronized (this) {
                starting--;
            }
        }
        synchronized (this) {
            all.add(new Served(session, p));
        }
        return p;
    }

    /** Forgets a process that was killed. */
    synchronized void forget(BackgroundProcess p) {
        all.removeIf(s -> s.process == p);
    }

    /** Drops the processes that ended longer ago than the retention, and the oldest beyond the cap. */
    void sweep(long now) {
        List<BackgroundProcess> drop = new ArrayList<>();
        synchronized (this) {
            for (Served s : all) {
                if (s.endedSeen == 0 && !s.process.isAlive()) {
                    s.endedSeen = now;
                }
            }
            long keep = limits.processRetention().toNanos();
            all.removeIf(s -> {
                boolean gone = s.endedSeen != 0 && now - s.endedSeen > keep;
                if (gone) {
                    drop.add(s.process);
                }
                return gone;
            });
            // Ended ones are kept up to the per-session cap each: a client that starts many short
            // processes keeps the most recent.
            List<Served> ended =
                    new ArrayList<>(all.stream().filter(s -> s.endedSeen != 0).toList());
            ended.sort(Comparator.comparingLong((Served s) -> s.endedSeen).reversed());
            java.util.Map<String, Integer> kept = new java.util.HashMap<>();
            for (Served s : ended) {
                if (kept.merge(s.session, 1, Integer::sum) > limits.maxProcessesPerSession()) {
                    all.remove(s);
                    drop.add(s.process);
                }
            }
        }
        for (BackgroundProcess p : drop) {
            close(p);
        }
    }

    /** The processes of a session that ended, to be killed by the caller. */
    synchronized List<BackgroundProcess> endSession(String session) {
        List<BackgroundProcess> mine = new ArrayList<>();
        all.removeIf(s -> {
            if (s.session.equals(session)) {
                mine.add(s.process);
                return true;
            }
            return false;
        });
        return mine;
    }

    /** How many are listed (running or kept after their end). */
    synchronized int size() {
        return all.size();
    }

    static void close(BackgroundProcess p) {
        try {
            p.close(); // kills it if it still runs, and drops it from its environment's list
        } catch (RuntimeException e) {
            LOG.debug("closing background process {} failed", p.id(), e);
        }
    }
}
