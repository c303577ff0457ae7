package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.exxec.ProviderUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A connection to one Docker daemon, shared by the environments that use it (one per endpoint and
 * JVM). Wraps docker-java with its Apache HttpClient 5 transport, which speaks Unix sockets and TCP.
 */
public final class DockerConnection {
    private static final Map<String, DockerConnection> OPEN = new ConcurrentHashMap<>();

    private final String endpoint;
    private final DockerClient client;
    private final String version;

    private DockerConnection(String endpoint, DockerClient client, String version) {
        this.endpoint = endpoint;
        this.client = client;
        this.version = version;
    }

    /** The endpoint an environment uses: its {@code host} setting, else {@code DOCKER_HOST}, else the local socket. */
    public static String endpoint(@Nullable String configured) {
        if (configured != null) {
            return configured;
        }
        String fromEnv = System.getenv("DOCKER_HOST");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "unix:///var/run/docker.sock";
    }

    /**
     * The connection to an endpoint, made and checked (a ping) on first use.
     *
     * @throws ProviderUnavailableException when the daemon cannot be reached, saying where and how to fix it
     */
    public static DockerConnection to(String endpoint) {
        DockerConnection existing = OPEN.get(endpoint);
        if (existing != null) {
            return existing;
        }
        synchronized (OPEN) {
            existing = OPEN.get(endpoint);
            if (existing != null) {
                return existing;
            }
            DockerConnection made = connect(endpoint);
            OPEN.put(endpoint, made);
            return made;
        }
    }

    private static DockerConnection connect(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new dev.exxec.ConfigException(
                    "host", "config key 'host': '" + endpoint + "' is not a Docker endpoint URI");
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("unix") || uri.getScheme().equals("tcp"))) {
            throw new dev.exxec.ConfigException(
                    "host", "config key 'host': '" + endpoint + "' must start with unix:// or tcp://");
        }
        if (uri.getScheme().equals("unix") && !java.nio.file.Files.exists(java.nio.file.Path.of(uri.getPath()))) {
            throw new ProviderUnavailableException("the Docker daemon is not running: there is no socket at "
                    + uri.getPath() + "; start it (sudo dockerd, or systemctl start docker) or set 'host'/DOCKER_HOST");
        }
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(endpoint)
                .build();
        // Unix sockets through the JDK (whose half-close works), TCP through HttpClient 5.
        DockerHttpClient http = uri.getScheme().equals("unix")
                ? new UnixSocketTransport(java.nio.file.Path.of(uri.getPath()))
                : new ApacheDockerHttpClient.Builder()
                        .dockerHost(config.getDockerHost())
                        .sslConfig(config.getSSLConfig())
                        .maxConnections(200)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .build();
        DockerClient client = DockerClientImpl.getInstance(config, http);
        try {
            client.pingCmd().exec();
            String version = client.versionCmd().exec().getVersion();
            return new DockerConnection(endpoint, client, version == null ? "?" : version);
        } catch (RuntimeException e) {
            try {
                client.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw new ProviderUnavailableException(
                    "the Docker daemon at " + endpoint + " does not answer ("
                            + rootMessage(e)
                            + "); start it (sudo dockerd, or systemctl start docker) or check 'host'/DOCKER_HOST"
                            + " and that this user may use it (the docker group)",
                    e);
        }
    }

    /** The innermost message of an exception chain. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    public String endpoint() {
        return endpoint;
    }

    public DockerClient client() {
        return client;
    }

    /** The daemon's version. */
    public String version() {
        return version;
    }
}
