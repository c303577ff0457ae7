package dev.exxec;

/** The environment does not declare the capability a call needs (see {@link Capabilities}). */
public class UnsupportedCapabilityException extends ExxecException {
    private static final long serialVersionUID = 1L;

    public UnsupportedCapabilityException(String message) {
        super(message);
    }
}
