/**
 * The {@code exxec} command line: {@code run} code, {@code exec} shell commands and list {@code
 * providers}, with a provider and its settings from options or a JSON/YAML file.
 *
 * <p>Entry point: {@link dev.exxec.cli.Main}. Nothing depends on this package; it is an application,
 * not an API.
 */
@NullMarked
package dev.exxec.cli;

import org.jspecify.annotations.NullMarked;
