package dev.exxec.local;

import dev.exxec.ExecutionEnvironment;

/**
 * Local environments: every execution starts a fresh interpreter process on this machine (Python 3,
 * Node.js, or a TypeScript runner), commands run through {@code /bin/sh -c}, files live in a
 * temporary workspace that is removed on close. No sandbox: the code has the JVM user's rights.
 *
 * <p>Each execution's process leads its own session; when the call ends, times out or is cancelled,
 * everything left in that session is killed. Processes see only {@code PATH} (a minimal one, led by
 * the interpreters' directories), {@code HOME} (the workspace), {@code LANG=C.UTF-8} and the
 * variables the caller set, unless {@code inheritEnv} is on.
 *
 * {@snippet :
 * try (ExecutionEnvironment env = LocalEnvironment.builder()
 *         .python("/usr/bin/python3")
 *         .timeout(Duration.ofSeconds(10))
 *         .env("GREETING", "hello")
 *         .build()) {
 *     env.execute("import os\n_result = os.environ['GREETING']").result(); // "hello"
 * }
 * }
 */
public final class LocalEnvironment {
    private LocalEnvironment() {}

    /** A builder for a local environment. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a local environment with typed settings; the same settings as the config keys. */
    public static final class Builder extends HostBuilder<Builder> {
        private Builder() {}

        /** Creates the environment; close it when done. */
        public ExecutionEnvironment build() {
            return new HostEnvironment(config(), new Unconfined());
        }
    }
}
