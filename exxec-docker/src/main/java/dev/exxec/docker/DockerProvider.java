package dev.exxec.docker;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ProviderUnavailableException;
import dev.exxec.docker.internal.DockerConnection;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ExecutionProvider;
import java.util.List;
import java.util.Map;

/** The {@code docker} provider; see {@link DockerEnvironment}. */
public final class DockerProvider implements ExecutionProvider {
    /** Its id. */
    public static final String ID = "docker";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "one container per environment, an exec per call, over the Docker Engine API";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return DockerConfig.KEYS;
    }

    @Override
    public Availability availability() {
        String endpoint = DockerConnection.endpoint(null);
        try {
            DockerConnection docker = DockerConnection.to(endpoint);
            boolean image;
            try {
                docker.client().inspectImageCmd(DockerConfig.DEFAULT_IMAGE).exec();
                image = true;
            } catch (RuntimeException e) {
                image = false;
            }
            return Availability.available(
                    "Docker " + docker.version() + " at " + endpoint,
                    List.of("default image " + DockerConfig.DEFAULT_IMAGE + ": "
                            + (image ? "present" : "missing; build it with scripts/docker-images.sh or set 'image'")));
        } catch (ProviderUnavailableException e) {
            return Availability.unavailable(
                    e.getMessage(), "start the Docker daemon or set DOCKER_HOST; see the message");
        }
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        return new ContainerEnvironment(DockerConfig.from(config));
    }
}
