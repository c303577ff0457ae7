package dev.exxec;

/**
 * How strongly code in an environment is kept apart from the machine it runs on (the caller's host,
 * or the target machine for remote environments), weakest first.
 */
public enum Isolation {
    /** None: the code shares the caller's process or a remote user's full rights. */
    NONE,
    /** A separate process with the user's rights; nothing else is restricted. */
    PROCESS,
    /** An OS sandbox: namespaces, a restricted file system view, limits. */
    OS_SANDBOX,
    /** A container. */
    CONTAINER,
    /** A micro virtual machine with its own kernel. */
    MICRO_VM;

    /** Whether this level is at least {@code other}. */
    public boolean atLeast(Isolation other) {
        return compareTo(other) >= 0;
    }
}
