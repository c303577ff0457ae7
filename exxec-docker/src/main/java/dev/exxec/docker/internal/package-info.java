/** Implementation of the docker provider; not API. */
@NullMarked
package dev.exxec.docker.internal;

import org.jspecify.annotations.NullMarked;
