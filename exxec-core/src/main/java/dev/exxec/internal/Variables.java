package dev.exxec.internal;

import java.util.Map;

/**
 * The check every set of environment variables passes, whoever gives it: a variable's name is a
 * shell identifier (letters, digits and underscores, not starting with a digit), its value holds no
 * NUL. A name with {@code =} would become another variable (or none) in the process's environment
 * block, one with NUL cannot be passed at all, and one with other characters is dropped by every
 * shell a provider starts the code through (docker's and ssh's launchers are shells): so the same
 * call would get it on one provider and not on another. Refused here, with the name said, instead of
 * failing somewhere in a launcher or vanishing. The same goes for the few names bash keeps read-only
 * ({@code UID}, {@code PPID}...): a launcher's {@code export} cannot set them where {@code /bin/sh} is
 * bash.
 */
public final class Variables {
    private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The variables bash keeps read-only, also as {@code /bin/sh}: where {@code /bin/sh} is bash (Fedora,
     * RHEL, Arch), the {@code export} of ssh's and docker's launchers cannot set them, and the call
     * would run without them, while {@code local} passes them on.
     */
    private static final java.util.Set<String> SHELL_READ_ONLY =
            java.util.Set.of("BASHOPTS", "BASH_VERSINFO", "EUID", "PPID", "SHELLOPTS", "UID");

    private Variables() {}

    /** Returns {@code env} copied, or throws {@link IllegalArgumentException} naming the bad variable. */
    public static Map<String, String> checked(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        copy.forEach((name, value) -> {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an environment variable has an empty name");
            }
            if (!IDENTIFIER.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable name " + Json.write(name)
                        + " is not a name every shell passes on: use letters, digits and underscores, not"
                        + " starting with a digit");
            }
            if (SHELL_READ_ONLY.contains(name)) {
                throw new IllegalArgumentException("environment variable name " + Json.write(name)
                        + " is one bash keeps read-only (it sets " + name
                        + " itself), so the shell a provider starts the code through drops it on some hosts:"
                        + " use another name");
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
