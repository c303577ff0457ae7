package dev.exxec.pool;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.UnsupportedCapabilityException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A pooled session as one lease's holder sees it: calls go to the session while the lease lasts and
 * throw {@link IllegalStateException} after. A call that fails in a way exxec itself reports — exxec
 * stopped it ({@link ExecutionResult#stoppedBy()}: it timed out, even when the interpreter kept its
 * state, since the call stopped half-way; was cancelled; hit a limit), or the interpreter died and
 * its state was lost — poisons the session: the pool retires it instead of lending it again. A
 * failure of the holder's own code ({@code ValueError}, {@code SystemExit}...) does not, and neither
 * does a program's own exception that merely names itself {@code TimeoutError}.
 */
final class LeasedSession implements CodeSession, PoolLease.View {
    /**
     * The error types exxec gives without a stop that also say something happened to the interpreter:
     * it died, or a limit of the kernel ended it. A program that names its own failure so only costs
     * its session a fresh interpreter.
     */
    private static final Set<String> POISONING =
            Set.of(ErrorTypes.PROCESS_EXIT, ErrorTypes.CPU_TIME_LIMIT, ErrorTypes.FILE_SIZE_LIMIT);

    private final CodeSession session;
    private volatile boolean ended;
    private volatile boolean poisoned;

    LeasedSession(CodeSession session) {
        this.session = session;
    }

    @Override
    public void poison() {
        poisoned = true;
    }

    @Override
    public boolean poisoned() {
        return poisoned;
    }

    @Override
    public void end() {
        ended = true;
    }

    @Override
    public String id() {
        return session.id();
    }

    @Override
    public Language language() {
        return session.language();
    }

    @Override
    public ExecutionResult execute(Code code) {
        return leased(code, false);
    }

    @Override
    public ExecutionResult evaluate(Code code) {
        return leased(code, true);
    }

    private ExecutionResult leased(Code code, boolean interactive) {
        if (ended) {
            throw new IllegalStateException("the lease of session " + session.id() + " has ended: acquire another");
        }
        ExecutionResult result;
        try {
            result = interactive ? session.evaluate(code) : session.execute(code);
        } catch (IllegalArgumentException | UnsupportedCapabilityException e) {
            throw e; // the caller's mistake (another language, per-call variables): the session is fine
        } catch (RuntimeException e) {
            poisoned = true; // cancelled (the interpreter was killed) or an infrastructure fault
            throw e;
        }
        @Nullable String type = result.errorType();
        if (result.stoppedBy() != null || !result.success() && type != null && POISONING.contains(type)) {
            poisoned = true;
        }
        return result;
    }

    /** Ends nothing: the lease gives the session back ({@link SessionPool.Lease#close()}). */
    @Override
    public void close() {
        // The pool owns the session; a holder's close() is not a reason to close it.
    }

    @Override
    public String toString() {
        return "Leased[" + session.id() + (ended ? ", ended" : "") + "]";
    }
}
