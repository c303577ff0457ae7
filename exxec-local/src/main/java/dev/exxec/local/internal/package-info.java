/** Implementation of the local provider; not API. */
@NullMarked
package dev.exxec.local.internal;

import org.jspecify.annotations.NullMarked;
