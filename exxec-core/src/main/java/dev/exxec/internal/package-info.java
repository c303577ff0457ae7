/** Implementation details of exxec-core; not API, may change at any time. */
@NullMarked
package dev.exxec.internal;

import org.jspecify.annotations.NullMarked;
