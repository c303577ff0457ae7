/**
 * The {@code graalvm} provider: Python (GraalPy) and JavaScript (GraalJS) inside the JVM, a fresh
 * polyglot context per call on one shared engine. Not a security boundary: for untrusted code use the
 * {@code sandbox} or {@code docker} provider.
 */
@NullMarked
package dev.exxec.graalvm;

import org.jspecify.annotations.NullMarked;
