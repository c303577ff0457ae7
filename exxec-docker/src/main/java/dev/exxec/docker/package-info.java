/**
 * The {@code docker} provider: one container per environment, created on start and removed on close;
 * every call is an exec in it, over the Docker Engine API.
 */
@NullMarked
package dev.exxec.docker;

import org.jspecify.annotations.NullMarked;
