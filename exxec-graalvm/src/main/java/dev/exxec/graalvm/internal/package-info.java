/** Implementation of the graalvm provider; not API. */
@NullMarked
package dev.exxec.graalvm.internal;

import org.jspecify.annotations.NullMarked;
