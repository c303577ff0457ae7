/** Internals of the {@code ssh} provider: connections, channels, host keys, the agent. Not API. */
@NullMarked
package dev.exxec.ssh.internal;

import org.jspecify.annotations.NullMarked;
