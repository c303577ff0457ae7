package dev.exxec.spi;

import java.nio.file.Path;
import java.util.Objects;

/** Where a driver's result record travels, out of reach of the program's own output. */
public sealed interface ResultChannel {

    /** No record: a shell command. */
    record None() implements ResultChannel {}

    /** A file the driver writes and the runner reads and deletes after the process ended. */
    record File(Path path) implements ResultChannel {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A line on standard output that starts with a per-execution random marker; the runner takes it
     * out of the output. For environments where standard output is the only way back.
     */
    record Marker(String marker) implements ResultChannel {
        public Marker {
            if (marker.length() < 16) {
                throw new IllegalArgumentException("a marker needs at least 16 characters of randomness");
            }
        }
    }

    static ResultChannel none() {
        return new None();
    }
}
