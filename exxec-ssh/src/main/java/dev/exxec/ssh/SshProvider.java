package dev.exxec.ssh;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.List;
import java.util.Map;

/** The {@code ssh} provider; see {@link SshEnvironment}. */
public final class SshProvider implements ExecutionProvider {
    /** Its id. */
    public static final String ID = "ssh";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "a remote host over SSH: one connection per environment, a channel per call";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return SshConfig.KEYS;
    }

    @Override
    public Availability availability() {
        return Availability.available(
                "connects when an environment starts; needs 'host' (and credentials: a key, a password or the agent)",
                List.of());
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        return new RemoteEnvironment(SshConfig.from(config));
    }
}
