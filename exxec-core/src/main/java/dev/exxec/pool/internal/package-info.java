/** The machinery behind exxec's pools; not API, may change at any time. */
@NullMarked
package dev.exxec.pool.internal;

import org.jspecify.annotations.NullMarked;
