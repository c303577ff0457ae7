package dev.exxec;

import org.jspecify.annotations.Nullable;

/** A provider cannot work on this machine now; the message says why and how to fix it. */
public class ProviderUnavailableException extends ExxecException {
    private static final long serialVersionUID = 1L;

    public ProviderUnavailableException(String message) {
        super(message);
    }

    public ProviderUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
