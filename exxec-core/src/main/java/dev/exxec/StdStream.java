package dev.exxec;

/** Which standard stream a piece of output came from. */
public enum StdStream {
    /** Standard output. */
    STDOUT,
    /** Standard error. */
    STDERR
}
