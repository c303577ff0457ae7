package dev.exxec.graalvm.internal;

import java.io.OutputStream;
import org.graalvm.polyglot.Context;

/** What a program sees of the call it runs for: where its output goes, and who may cancel its context. */
public sealed interface Call permits ContextRun {
    /** Where the program's standard output goes. */
    OutputStream out();

    /** Where the program's standard error goes. */
    OutputStream err();

    /**
     * Registers the context the program runs in, so that a kill cancels it.
     *
     * @throws InterruptedException when the call was killed before
     */
    void attach(Context context) throws InterruptedException;
}
