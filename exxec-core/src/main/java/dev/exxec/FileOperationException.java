package dev.exxec;

import org.jspecify.annotations.Nullable;

/** A file operation in an environment failed; {@link #reason()} says how. */
public class FileOperationException extends ExxecException {
    private static final long serialVersionUID = 1L;

    /** Why a file operation failed. */
    public enum Reason {
        NOT_FOUND,
        ALREADY_EXISTS,
        NOT_A_DIRECTORY,
        IS_A_DIRECTORY,
        DIRECTORY_NOT_EMPTY,
        PERMISSION_DENIED,
        OUTSIDE_WORKSPACE,
        /** The file holds more than the read was allowed to take; nothing of it was returned. */
        TOO_LARGE,
        IO
    }

    private final Reason reason;
    private final String path;

    public FileOperationException(Reason reason, String path, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.path = path;
    }

    public FileOperationException(Reason reason, String path, String message) {
        this(reason, path, message, null);
    }

    /** How it failed. */
    public Reason reason() {
        return reason;
    }

    /** The path the operation was about, as the caller gave it. */
    public String path() {
        return path;
    }
}
