package dev.exxec.graalvm.internal;

import java.nio.file.Path;
import java.util.Map;
import org.graalvm.polyglot.io.FileSystem;
import org.jspecify.annotations.Nullable;

/**
 * What an environment's contexts have in common.
 *
 * @param files the file system they see, or {@code null} for none
 * @param cwd their working directory when they have one
 * @param variables the variables of a call that sets none of its own, given to a spare context ahead
 */
public record ContextOptions(
        @Nullable FileSystem files, @Nullable Path cwd, Map<String, String> variables) {
    public ContextOptions {
        variables = Map.copyOf(variables);
    }
}
