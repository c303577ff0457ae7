package dev.exxec;

/** Where an environment's code runs, independent of its {@link Isolation}. */
public enum Location {
    /** On the caller's machine. */
    LOCAL,
    /** On another machine (an SSH host, a cluster, a hosted sandbox). */
    REMOTE
}
