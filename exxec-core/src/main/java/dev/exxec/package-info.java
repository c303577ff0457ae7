/**
 * The exxec API: run code and shell commands in an {@link dev.exxec.ExecutionEnvironment}.
 *
 * <p>Start with {@link dev.exxec.Exxec#environment(String, java.util.Map)}; every environment is
 * {@link java.lang.AutoCloseable} and declares what it can do in its {@link dev.exxec.Capabilities}.
 */
@NullMarked
package dev.exxec;

import org.jspecify.annotations.NullMarked;
