/**
 * The {@code local} provider (alias {@code subprocess}): code runs in a fresh interpreter process on
 * this machine per execution, commands through {@code /bin/sh -c}, files in a temporary workspace.
 *
 * <p>Isolation is {@link dev.exxec.Isolation#PROCESS}: the code has the rights of the JVM's user.
 * Use it for trusted code; untrusted code belongs in a sandbox or container provider.
 */
@NullMarked
package dev.exxec.local;

import org.jspecify.annotations.NullMarked;
