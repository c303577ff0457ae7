package dev.exxec;

import java.util.List;

/** No provider has the requested id or alias; the message lists the known ones. */
public class ProviderNotFoundException extends ExxecException {
    private static final long serialVersionUID = 1L;

    private final String requested;
    private final List<String> known;

    public ProviderNotFoundException(String requested, List<String> known) {
        super("unknown provider '" + requested + "'; known providers: "
                + (known.isEmpty()
                        ? "none (no exxec provider module is on the class path)"
                        : String.join(", ", known)));
        this.requested = requested;
        this.known = List.copyOf(known);
    }

    /** The id that was asked for. */
    public String requested() {
        return requested;
    }

    /** The ids of the providers found on the class path. */
    public List<String> known() {
        return known;
    }
}
