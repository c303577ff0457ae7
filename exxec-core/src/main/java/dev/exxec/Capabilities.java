package dev.exxec;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What an environment guarantees. Calls that need something not declared here throw {@link
 * UnsupportedCapabilityException}; nothing silently degrades.
 *
 * @param languages the languages {@code execute} accepts
 * @param commands whether {@code executeCommand} runs shell commands
 * @param streaming whether output events arrive while the code runs (not only at the end)
 * @param files whether {@code files()} works
 * @param processes whether {@code processes()} starts background processes
 * @param terminals whether {@code terminals()} opens pseudo-terminals
 * @param sessions whether {@code session(language)} gives stateful interpreters
 * @param inheritEnv whether the environment can pass the host's variables to the code
 * @param isolation how strongly the code is kept apart from the machine it runs on
 * @param location where the code runs
 * @param network what network the code can reach
 * @param limits the resource limits really enforced
 */
public record Capabilities(
        Set<Language> languages,
        boolean commands,
        boolean streaming,
        boolean files,
        boolean processes,
        boolean terminals,
        boolean sessions,
        boolean inheritEnv,
        Isolation isolation,
        Location location,
        NetworkAccess network,
        ResourceLimits limits) {

    /** Validates and copies the components. */
    public Capabilities {
        languages = Set.copyOf(languages);
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(limits, "limits");
    }

    /** Whether {@code language} can run here. */
    public boolean supports(Language language) {
        return languages.contains(language);
    }

    /** A builder starting from nothing supported, isolation {@link Isolation#NONE}, local, full network. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link Capabilities}; not thread-safe. */
    public static final class Builder {
        private final Set<Language> languages = EnumSet.noneOf(Language.class);
        private boolean commands;
        private boolean streaming;
        private boolean files;
        private boolean processes;
        private boolean terminals;
        private boolean sessions;
        private boolean inheritEnv;
        private Isolation isolation = Isolation.NONE;
        private Location location = Location.LOCAL;
        private NetworkAccess network = NetworkAccess.FULL;
        private ResourceLimits limits = ResourceLimits.NONE;

        private Builder() {}

        public Builder languages(Set<Language> languages) {
            this.languages.clear();
            this.languages.addAll(languages);
            return this;
        }

        public Builder language(Language language) {
            languages.add(language);
            return this;
        }

        public Builder commands(boolean commands) {
            this.commands = commands;
            return this;
        }

        public Builder streaming(boolean streaming) {
            this.streaming = streaming;
            return this;
        }

        public Builder files(boolean files) {
            this.files = files;
            return this;
        }

        public Builder processes(boolean processes) {
            this.processes = processes;
            return this;
        }

        public Builder terminals(boolean terminals) {
            this.terminals = terminals;
            return this;
        }

        public Builder sessions(boolean sessions) {
            this.sessions = sessions;
            return this;
        }

        public Builder inheritEnv(boolean inheritEnv) {
            this.inheritEnv = inheritEnv;
            return this;
        }

        public Builder isolation(Isolation isolation) {
            this.isolation = isolation;
            return this;
        }

        public Builder location(Location location) {
            this.location = location;
            return this;
        }

        public Builder network(NetworkAccess network) {
            this.network = network;
            return this;
        }

        public Builder limits(ResourceLimits limits) {
            this.limits = limits;
            return this;
        }

        public Capabilities build() {
            return new Capabilities(
                    languages,
                    commands,
                    streaming,
                    files,
                    processes,
                    terminals,
                    sessions,
                    inheritEnv,
                    isolation,
                    location,
                    network,
                    limits);
        }
    }
}
