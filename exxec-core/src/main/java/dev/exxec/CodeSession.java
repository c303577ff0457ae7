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
     */
    ExecutionResult execute(Code code);

    /** Ends the interpreter; idempotent. */
    @Override
    void close();
}
