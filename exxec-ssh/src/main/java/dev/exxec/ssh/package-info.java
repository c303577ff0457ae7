/**
 * The {@code ssh} provider: code and commands on a host reached over SSH, one connection per
 * environment and a channel per call, with a workspace made by {@code mktemp -d} and removed on
 * close.
 */
@NullMarked
package dev.exxec.ssh;

import org.jspecify.annotations.NullMarked;
