package dev.exxec;

import java.util.List;

/**
 * Pseudo-terminals of an environment. All are killed when the environment closes. Thread-safe;
 * throws {@link UnsupportedCapabilityException} where {@link Capabilities#terminals()} is false.
 */
public interface Terminals {

    /** Opens a login shell on a terminal of the given size. */
    default Terminal open(TerminalSize size) {
        return open(TerminalSpec.of(size));
    }

    /** Opens a terminal. */
    Terminal open(TerminalSpec spec);

    /** The terminals opened here that were not yet killed or closed. */
    List<Terminal> list();
}
