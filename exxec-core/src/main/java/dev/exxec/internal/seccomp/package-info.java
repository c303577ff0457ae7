/**
 * exxec's seccomp policy and its two renderings: classic BPF for the kernel (bubblewrap, the zygote)
 * and Docker's JSON profile. The public face is {@link dev.exxec.spi.SyscallFilter}; nothing here is
 * API.
 */
@NullMarked
package dev.exxec.internal.seccomp;

import org.jspecify.annotations.NullMarked;
