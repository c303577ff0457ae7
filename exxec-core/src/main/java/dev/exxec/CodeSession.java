package dev.exxec;

/**
 * A stateful interpreter: globals persist from one {@code execute} to the next. Opened by {@link
 * ExecutionEnvironment#session(Language)} where {@link Capabilities#sessions()} is true.
 *
 * <p>Calls run one at a time, in order. A deadline interrupts the running call; the result says so.
 */
public interface CodeSession extends AutoCloseable {

    /** Its id, unique in the environment. */
    String id();

    /** The language it runs. */
    Language language();

    /** Runs source in the session with the environment's default deadline. */
    default ExecutionResult execute(String source) {
        return execute(Code.of(language(), source));
    }

    /**
     * Runs code in the session.
     *
     * @throws IllegalArgumentException when the code's language is not the session's
     * @throws IllegalStateException when the session is closed
     * @throws ExecutionCancelledException when the session was closed while the call ran
     */
    ExecutionResult execute(Code code);

    /**
     * Runs code as an interactive interpreter runs what is typed at its prompt: its statements run as
     * {@link #execute(Code)} runs them, and the value of a final expression is the result (Python: a
     * last expression statement; JavaScript: the script's completion value, awaited when it is a
     * promise); {@code main()} and {@code _result} mean nothing special. A failure's traceback starts at
     * the code itself.
     *
     * @throws UnsupportedCapabilityException where the session cannot (the default)
     * @throws IllegalArgumentException when the code's language is not the session's
     * @throws IllegalStateException when the session is closed
     * @throws ExecutionCancelledException when the session was closed while the call ran
     */
    default ExecutionResult evaluate(Code code) {
        throw new UnsupportedCapabilityException(
                "session " + id() + " cannot evaluate interactive input: use" + " execute with main() or _result");
    }

    /**
     * Ends the interpreter at once, from any thread; idempotent. It never waits for a running call:
     * that call's interpreter is killed, and the call throws {@link ExecutionCancelledException}.
     */
    @Override
    void close();
}
