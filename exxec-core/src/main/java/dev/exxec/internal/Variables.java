package dev.exxec.internal;

import java.util.Map;

/**
 * The check every set of environment variables passes, whoever gives it: a variable's name is not
 * empty and holds neither {@code =} nor NUL, its value holds no NUL. A name with {@code =} would
 * become another variable (or none) in the process's environment block, one with NUL cannot be
 * passed at all; refused here, with the name said, instead of failing somewhere in a launcher.
 */
public final class Variables {
    private Variables() {}

    /** Returns {@code env} copied, or throws {@link IllegalArgumentException} naming the bad variable. */
    public static Map<String, String> checked(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        copy.forEach((name, value) -> {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an environment variable has an empty name");
            }
            if (name.indexOf('=') >= 0) {
                throw new IllegalArgumentException(
                        "environment variable name " + Json.write(name) + " contains '=', which no name may");
            }
            if (name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(
                        "environment variable name " + Json.write(name) + " contains a NUL character");
            }
            if (value.indexOf('\0') >= 0) {
                // The value is not shown: it may be a secret.
                throw new IllegalArgumentException(
                        "the value of environment variable " + Json.write(name) + " contains a NUL character");
            }
        });
        return copy;
    }
}
