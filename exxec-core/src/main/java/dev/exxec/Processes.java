package dev.exxec;

import java.util.List;
import java.util.Optional;

/**
 * Background processes of an environment. All of them are killed when the environment closes.
 * Thread-safe; throws {@link UnsupportedCapabilityException} where {@link Capabilities#processes()}
 * is false.
 */
public interface Processes {

    /** Starts a shell command line in the background. */
    default BackgroundProcess start(String command) {
        return start(ProcessSpec.of(command));
    }

    /** Starts a background process. */
    BackgroundProcess start(ProcessSpec spec);

    /** The processes started here that were not yet killed or closed, running or ended. */
    List<BackgroundProcess> list();

    /** A process by id. */
    Optional<BackgroundProcess> get(String id);
}
