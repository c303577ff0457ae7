/**
 * The service provider interface: what a provider module implements ({@link
 * dev.exxec.spi.ExecutionProvider}) and the shared machinery it builds on (configuration reading,
 * the environment base class, process runs with deadlines and bounded output, the result drivers).
 *
 * <p>Application code does not need this package.
 */
@NullMarked
package dev.exxec.spi;

import org.jspecify.annotations.NullMarked;
