package dev.exxec;

/** What network an environment's code can reach. */
public enum NetworkAccess {
    /** Whatever the machine it runs on can reach. */
    FULL,
    /** Only destinations the environment's configuration allows. */
    RESTRICTED,
    /** No network at all, loopback aside. */
    NONE
}
