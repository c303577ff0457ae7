package dev.exxec.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import dev.exxec.EnvironmentStartException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Host services (the caller's tool servers) made reachable from code in a container by name and
 * port, and nothing else of the network: the container joins an internal network of its own (no
 * route out); each name resolves to that network's gateway, the host's side of it, where a forwarder
 * passes connections on to the service on the host's loopback.
 */
public final class ToolServers implements AutoCloseable {
    private final List<String> hosts;
    private final List<ServerSocket> listeners;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private ToolServers(List<String> hosts, List<ServerSocket> listeners) {
        this.hosts = hosts;
        this.listeners = listeners;
    }

    /** No tool servers. */
    public static ToolServers none() {
        return new ToolServers(List.of(), List.of());
    }

    /**
     * Starts a forwarder for each service on the gateway of {@code networkId}.
     *
     * @param servers name to the service's port on this host's loopback
     */
    public static ToolServers start(DockerClient client, String networkId, Map<String, Integer> servers) {
        Network network = client.inspectNetworkCmd().withNetworkId(networkId).exec();
        String gateway = network.getIpam().getConfig().stream()
                .map(Network.Ipam.Config::getGateway)
                .filter(g -> g != null && !g.isBlank())
                .findFirst()
                .orElseThrow(() -> new EnvironmentStartException("the tool network has no gateway address"));
        List<String> hosts = new ArrayList<>();
        List<ServerSocket> listeners = new ArrayList<>();
        ToolServers tools = new ToolServers(hosts, listeners);
        try {
            InetAddress address = InetAddress.getByName(gateway);
            for (Map.Entry<String, Integer> server : servers.entrySet()) {
                hosts.add(server.getKey() + ":" + gateway);
                ServerSocket listener = new ServerSocket();
                listener.setReuseAddress(true);
                try {
                    listener.bind(new InetSocketAddress(address, server.getValue()));
                } catch (BindException e) {
                    // The service itself listens on all addresses, the gateway's too: nothing to forward.
                    listener.close();
                    continue;
                }
                listeners.add(listener);
                int port = server.getValue();
                Thread.ofPlatform()
                        .daemon()
                        .name("exxec-tool-" + server.getKey())
                        .start(() -> tools.accept(listener, port));
            }
        } catch (IOException e) {
            tools.close();
            throw new EnvironmentStartException(
                    "could not forward tool servers to the container: " + e.getMessage(), e);
        }
        return tools;
    }

    /** {@code name:address} entries for the container's /etc/hosts. */
    public List<String> hosts() {
        return List.copyOf(hosts);
    }

    private void accept(ServerSocket listener, int port) {
        while (!listener.isClosed()) {
            try {
                Socket inside = listener.accept();
                connections.add(inside);
                Thread.ofVirtual().start(() -> forward(inside, port));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void forward(Socket inside, int port) {
        try (inside;
                Socket service = new Socket(InetAddress.getLoopbackAddress(), port)) {
            connections.add(service);
            Thread back = Thread.ofVirtual().start(() -> pump(service, inside));
            pump(inside, service);
            back.join();
        } catch (IOException | InterruptedException e) {
            // the service is down or a side hung up: the connection ends
        } finally {
            connections.remove(inside);
            connections.removeIf(Socket::isClosed);
        }
    }

    /** Copies one direction, then half-closes it; closing the streams would close the sockets. */
    private void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() {
        for (ServerSocket listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                // already closed
            }
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
