package dev.exxec.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.docker.internal.DockerConnection;
import dev.exxec.testkit.HostProbe;
import dev.exxec.testkit.ProcessRef;
import java.util.Optional;

/**
 * The kit's probe for containers of a daemon on this machine: processes through this machine's
 * {@code /proc} (a container's PID namespace is one of its namespaces), and the workspace as the
 * host directory of the container's volume, asked of the daemon on a connection of its own.
 */
final class DockerHostProbe implements HostProbe {
    private final DockerConnection docker = DockerConnection.to(DockerConnection.endpoint(null));

    @Override
    public boolean isAlive(long pid) {
        return HostProbe.localHost().isAlive(pid);
    }

    @Override
    public boolean isAlive(ProcessRef process) {
        return HostProbe.localHost().isAlive(process);
    }

    @Override
    public boolean exists(String path) {
        return HostProbe.localHost().exists(path);
    }

    @Override
    public Optional<String> workspace(ExecutionEnvironment env) {
        InspectContainerResponse container =
                docker.client().inspectContainerCmd("exxec-" + env.id()).exec();
        return container.getMounts().stream()
                .filter(m -> m.getDestination() != null
                        && ContainerEnvironment.WORKSPACE.equals(
                                m.getDestination().getPath()))
                .map(InspectContainerResponse.Mount::getSource)
                .findFirst();
    }
}
