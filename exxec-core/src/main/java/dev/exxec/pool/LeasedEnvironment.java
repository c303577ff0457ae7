package dev.exxec.pool;

import dev.exxec.Capabilities;
import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.EventStream;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.FileEntry;
import dev.exxec.FileOperationException;
import dev.exxec.Language;
import dev.exxec.Processes;
import dev.exxec.Stop;
import dev.exxec.Terminals;
import dev.exxec.UnsupportedCapabilityException;
import dev.exxec.WorkspaceFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A pooled environment as one lease's holder sees it: every call goes to the environment while the
 * lease lasts and throws {@link IllegalStateException} after; a call that exxec stopped at its
 * deadline ({@link ExecutionResult#stoppedBy()}, never a program's own {@code TimeoutError}), or an
 * environment that failed, poisons it (the pool retires it instead of lending it again). Sessions
 * opened through it are closed when the lease ends.
 */
final class LeasedEnvironment implements ExecutionEnvironment, PoolLease.View {
    private final ExecutionEnvironment env;
    private final List<CodeSession> sessions = new ArrayList<>();
    private volatile boolean ended;
    private volatile boolean poisoned;

    LeasedEnvironment(ExecutionEnvironment env) {
        this.env = env;
    }

    @Override
    public void poison() {
        poisoned = true;
    }

    @Override
    public boolean poisoned() {
        return poisoned || env.isClosed();
    }

    @Override
    public void end() {
        ended = true;
        List<CodeSession> open;
        synchronized (sessions) {
            open = List.copyOf(sessions);
            sessions.clear();
        }
        open.forEach(CodeSession::close);
    }

    private void check() {
        if (ended) {
            throw new IllegalStateException("the lease of environment " + env.id() + " has ended: acquire another");
        }
    }

    /** Runs a call, poisoning the environment when it fails in a way that may leave it unfit. */
    private <T> T call(Supplier<T> call) {
        check();
        try {
            return call.get();
        } catch (IllegalArgumentException
                | ConfigException
                | UnsupportedCapabilityException
                | FileOperationException
                | ExecutionCancelledException e) {
            throw e; // the caller's mistake, a missing file, or a cancel: the environment is fine
        } catch (RuntimeException e) {
            poisoned = true;
            throw e;
        }
    }

    private ExecutionResult judged(ExecutionResult result) {
        if (result.stoppedBy() == Stop.DEADLINE) {
            poisoned = true;
        }
        return result;
    }

    @Override
    public String id() {
        return env.id();
    }

    @Override
    public String providerId() {
        return env.providerId();
    }

    @Override
    public Capabilities capabilities() {
        return env.capabilities();
    }

    @Override
    public Language defaultLanguage() {
        return env.defaultLanguage();
    }

    @Override
    public ExecutionResult execute(Code code) {
        return judged(call(() -> env.execute(code)));
    }

    @Override
    public EventStream stream(Code code) {
        return call(() -> env.stream(code));
    }

    @Override
    public ExecutionResult executeCommand(Command command) {
        return judged(call(() -> env.executeCommand(command)));
    }

    @Override
    public EventStream streamCommand(Command command) {
        return call(() -> env.streamCommand(command));
    }

    @Override
    public WorkspaceFiles files() {
        WorkspaceFiles files = call(env::files);
        return new WorkspaceFiles() {
            @Override
            public String workspace() {
                return call(files::workspace);
            }

            @Override
            public byte[] read(String path) {
                return call(() -> files.read(path));
            }

            @Override
            public byte[] read(String path, long maxBytes) {
                return call(() -> files.read(path, maxBytes));
            }

            @Override
            public void write(String path, byte[] content) {
                call(() -> {
                    files.write(path, content);
                    return null;
                });
            }

            @Override
            public List<FileEntry> list(String path) {
                return call(() -> files.list(path));
            }

            @Override
            public FileEntry stat(String path) {
                return call(() -> files.stat(path));
            }

            @Override
            public boolean exists(String path) {
                return call(() -> files.exists(path));
            }

            @Override
            public void mkdir(String path) {
                call(() -> {
                    files.mkdir(path);
                    return null;
                });
            }

            @Override
            public void move(String from, String to) {
                call(() -> {
                    files.move(from, to);
                    return null;
                });
            }

            @Override
            public void delete(String path) {
                call(() -> {
                    files.delete(path);
                    return null;
                });
            }
        };
    }

    @Override
    public Processes processes() {
        return call(env::processes); // what it starts is killed when the environment is reset
    }

    @Override
    public Terminals terminals() {
        return call(env::terminals); // likewise
    }

    @Override
    public CodeSession session(Language language) {
        CodeSession session = call(() -> env.session(language));
        synchronized (sessions) {
            sessions.add(session);
        }
        return session;
    }

    @Override
    public boolean isClosed() {
        return ended || env.isClosed();
    }

    /** Ends nothing: the lease gives the environment back ({@link EnvironmentPool.Lease#close()}). */
    @Override
    public void close() {
        // The pool owns the environment; a holder's close() is not a reason to close it.
    }

    @Override
    public String toString() {
        return "Leased[" + env + (ended ? ", ended" : "") + "]";
    }
}
