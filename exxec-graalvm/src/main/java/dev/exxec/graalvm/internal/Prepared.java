package dev.exxec.graalvm.internal;

import org.graalvm.polyglot.Context;

/**
 * A fresh context with its driver evaluated, not yet used by any program.
 *
 * @param context the context
 * @param driver its driver
 * @param out its standard output, pointed at a call's pipe when the call takes it
 * @param err its standard error
 */
public record Prepared(Context context, Guest.Driver driver, Redirect out, Redirect err) {

    /** Builds one: a context from {@code polyglot} with its driver evaluated. */
    public static Prepared build(Polyglot polyglot, Guest guest, ContextOptions options) {
        Redirect out = new Redirect();
        Redirect err = new Redirect();
        Context context = polyglot.context(guest, out, err, options.files(), options.cwd());
        try {
            return new Prepared(context, guest.prepare(context, out, err, options.variables()), out, err);
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }

    /** Closes the context; quietly, as it may have been cancelled or have exited already. */
    public void discard() {
        try {
            context.close(true);
        } catch (RuntimeException e) {
            // closed already
        }
    }
}
