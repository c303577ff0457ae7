package dev.exxec;

import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * A place where code and shell commands run: a local process, a sandbox, a container, a remote host.
 *
 * <p>Obtained from {@link Exxec#environment(String, java.util.Map)} or a provider's typed builder.
 * Safe for concurrent use from many (virtual) threads; each call is independent (one-shot: no state
 * carries from one {@code execute} to the next, use {@link #session(Language)} for that).
 *
 * <p>Every call has a deadline: its own timeout, else the environment's (30 s unless configured).
 * At the deadline everything the call started is killed and the result has {@code
 * errorType=TimeoutError}. Interrupting the calling thread kills the same way and throws {@link
 * ExecutionCancelledException}.
 *
 * <p>{@link #close()} is idempotent; afterwards nothing the environment created exists any more
 * (processes, terminals, containers, temporary directories) and every call throws {@link
 * IllegalStateException}.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = Exxec.environment("local")) {
 *     ExecutionResult r = env.execute("""
 *         async def main():
 *             return {"answer": 42}
 *         """);
 *     r.result(); // {answer=42}
 * }
 * }
 */
public interface ExecutionEnvironment extends AutoCloseable {

    /** Its id, unique in this JVM. */
    String id();

    /** The id of the provider that made it. */
    String providerId();

    /** What it can do. */
    Capabilities capabilities();

    /** The language of {@link #execute(String)}: Python unless configured otherwise. */
    Language defaultLanguage();

    /** Runs source in the default language. */
    default ExecutionResult execute(String source) {
        return execute(Code.of(source));
    }

    /**
     * Runs code and waits for its result.
     *
     * @throws UnsupportedCapabilityException when the language is not declared
     * @throws ExecutionCancelledException when the calling thread is interrupted
     */
    ExecutionResult execute(Code code);

    /**
     * Starts code and returns its live events; the caller must close the stream.
     *
     * @throws UnsupportedCapabilityException when the language is not declared
     */
    EventStream stream(Code code);

    /** Starts source in the default language and returns its live events. */
    default EventStream streamCode(String source) {
        return stream(Code.of(source));
    }

    /** Runs a shell command line and waits for it; {@code success} means exit code 0. */
    default ExecutionResult executeCommand(String command) {
        return executeCommand(Command.of(command));
    }

    /**
     * Runs a shell command and waits for it.
     *
     * @throws UnsupportedCapabilityException when the environment runs no commands
     * @throws ExecutionCancelledException when the calling thread is interrupted
     */
    ExecutionResult executeCommand(Command command);

    /** Starts a shell command line and returns its live events; the caller must close the stream. */
    default EventStream streamCommand(String command) {
        return streamCommand(Command.of(command));
    }

    /** Starts a shell command and returns its live events; the caller must close the stream. */
    EventStream streamCommand(Command command);

    /**
     * Runs code on a new virtual thread. {@code cancel(true)} on the future kills the execution.
     */
    default Future<ExecutionResult> submit(Code code) {
        FutureTask<ExecutionResult> task = new FutureTask<>(() -> execute(code));
        Thread.ofVirtual().name("exxec-submit").start(task);
        return task;
    }

    /** Its files; see {@link WorkspaceFiles}. */
    WorkspaceFiles files();

    /** Its background processes; see {@link Processes}. */
    Processes processes();

    /** Its terminals; see {@link Terminals}. */
    Terminals terminals();

    /**
     * Opens a stateful interpreter session.
     *
     * @throws UnsupportedCapabilityException where {@link Capabilities#sessions()} is false or the
     *     language is not declared
     */
    CodeSession session(Language language);

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** Ends the environment and removes everything it created; idempotent. */
    @Override
    void close();
}
