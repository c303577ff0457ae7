package dev.exxec.ssh.internal;

import dev.exxec.EnvironmentStartException;
import dev.exxec.ExecutionCancelledException;
import dev.exxec.ProviderUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.jspecify.annotations.Nullable;

/**
 * The connections of one environment to its host: a first one, and more when the calls at once need
 * more channels than a connection may carry (OpenSSH allows 10 by default, {@code MaxSessions}).
 * Every call is a channel; a channel's end frees its place. Closing closes everything.
 */
public final class Link implements AutoCloseable {
    /** Connections at most; beyond them a call waits for a free channel. */
    private static final int MAX_CONNECTIONS = 16;

    /**
     * How to reach and log in to the host.
     *
     * @param host the host
     * @param port the port
     * @param user the user
     * @param password a password, or null
     * @param keys key pairs to offer
     * @param keyNames where the keys came from, for messages
     * @param agentSocket the SSH agent's socket, or null
     * @param hostKeys the host key check
     * @param connectTimeout how long connecting may take
     * @param authTimeout how long authentication may take
     * @param keepAlive keep-alive interval, zero for none
     * @param maxSessions channels per connection
     */
    public record Options(
            String host,
            int port,
            String user,
            @Nullable String password,
            List<KeyPair> keys,
            List<String> keyNames,
            @Nullable Path agentSocket,
            HostKeys hostKeys,
            Duration connectTimeout,
            Duration authTimeout,
            Duration keepAlive,
            int maxSessions) {

        String target() {
            return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final Options options;
    private final SshClient client;
    private final List<Connection> connections = new ArrayList<>();
    private boolean closed;
    private int connecting;
    private final Object sftpLock = new Object();
    private volatile @Nullable SftpClient sftp;

    private static final class Connection {
        final ClientSession session;
        int open;
        int capacity;

        Connection(ClientSession session, int capacity) {
            this.session = session;
            this.capacity = capacity;
        }
    }

    private Link(Options options) {
        this.options = options;
        this.client = SshClient.setUpDefaultClient();
        // Only what the configuration says: no ~/.ssh/config rewriting the target, no keys picked up
        // on the side.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setServerKeyVerifier(options.hostKeys());
        if (options.agentSocket() != null) {
            Path socket = options.agentSocket();
            client.setAgentFactory(new SshAgentFactory() {
                @Override
                public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
                    return List.of();
                }

                @Override
                public SshAgent createClient(Session session, FactoryManager manager) throws IOException {
                    return new AgentClient(socket);
                }

                @Override
                public @Nullable SshAgentServer createServer(ConnectionService service) {
                    return null;
                }
            });
        }
        // An environment may sit idle for hours between calls: only a dead peer ends it.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.NIO2_READ_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.AUTH_TIMEOUT.set(client, options.authTimeout());
        if (!options.keepAlive().isZero()) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, options.keepAlive());
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
        }
    }

    /**
     * Connects and logs in.
     *
     * @throws ProviderUnavailableException when the host cannot be reached in time
     * @throws EnvironmentStartException when the host key is refused or authentication fails
     */
    public static Link connect(Options options) {
        Link link = new Link(options);
        link.client.start();
        try {
            ClientSession first = link.login();
            synchronized (link) {
                link.connections.add(new Connection(first, options.maxSessions()));
            }
            return link;
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private ClientSession login() {
        // connectTimeout covers reaching the host and its first words: the key exchange.
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        ClientSession session;
        try {
            session = client.connect(options.user(), options.host(), options.port())
                    .verify(options.connectTimeout())
                    .getSession();
        } catch (IOException e) {
            throw unreachable(e);
        }
        try {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            Set<ClientSessionEvent> events = session.waitFor(
                    EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.AUTHED, ClientSessionEvent.CLOSED),
                    left);
            String refusal = options.hostKeys().refusal();
            if (refusal != null) {
                throw new EnvironmentStartException(refusal);
            }
            if (events.contains(ClientSessionEvent.CLOSED)) {
                throw new ProviderUnavailableException("cannot connect to " + options.target()
                        + ": the server closed the connection before authentication");
            }
            if (!events.contains(ClientSessionEvent.WAIT_AUTH) && !events.contains(ClientSessionEvent.AUTHED)) {
                throw new ProviderUnavailableException("cannot connect to " + options.target()
                        + ": no SSH server answered within "
                        + options.connectTimeout().toMillis()
                        + " ms (connectTimeout)");
            }
            if (options.password() != null) {
                session.addPasswordIdentity(options.password());
            }
            for (KeyPair key : options.keys()) {
                session.addPublicKeyIdentity(key);
            }
            session.auth().verify(options.authTimeout());
            return session;
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof dev.exxec.ExxecException x) {
                throw x;
            }
            String refusal = options.hostKeys().refusal();
            if (refusal != null) {
                throw new EnvironmentStartException(refusal, e);
            }
            throw refused(e);
        }
    }

    private ProviderUnavailableException unreachable(IOException e) {
        Throwable root = root(e);
        String why;
        if (root instanceof ConnectException) {
            why = "the connection was refused (is an SSH server listening on port " + options.port() + "?)";
        } else if (root instanceof UnknownHostException) {
            why = "the host name is unknown";
        } else if (String.valueOf(e.getMessage()).contains("timeout")
                || root instanceof java.net.SocketTimeoutException) {
            why = "it did not answer within " + options.connectTimeout().toMillis() + " ms (connectTimeout)";
        } else {
            why = String.valueOf(root.getMessage());
        }
        return new ProviderUnavailableException("cannot connect to " + options.target() + ": " + why, e);
    }

    private EnvironmentStartException refused(Exception e) {
        String message = String.valueOf(root(e).getMessage());
        List<String> offered = new ArrayList<>();
        if (options.password() != null) {
            offered.add("a password");
        }
        offered.addAll(options.keyNames());
        if (options.agentSocket() != null) {
            offered.add("the agent's keys (" + options.agentSocket() + ")");
        }
        if (message.contains("timeout") || message.contains("Timeout")) {
            return new EnvironmentStartException(
                    "authentication at " + options.target() + " did not finish within "
                            + options.authTimeout().toMillis() + " ms (authTimeout)",
                    e);
        }
        if (message.contains("No more authentication methods")) {
            return new EnvironmentStartException(
                    "authentication as " + options.user() + " at " + options.target() + " failed: the server accepted "
                            + (offered.isEmpty()
                                    ? "nothing, and nothing was offered (set password, privateKeyFile or privateKey)"
                                    : "none of " + String.join(", ", offered)),
                    e);
        }
        return new EnvironmentStartException("could not log in to " + options.target() + ": " + message, e);
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The first connection's session (for the keeper, which must die with it). */
    public synchronized ClientSession primary() {
        return connections.get(0).session;
    }

    /** The environment's SFTP client, opened on first use on the first connection. */
    public SftpClient sftp() throws IOException {
        // Not under this object's lock: opening waits for the server, and channels that end meanwhile
        // take that lock on MINA's I/O threads, which the opening needs.
        synchronized (sftpLock) {
            SftpClient current = sftp;
            if (current != null && current.isOpen()) {
                return current;
            }
            Connection first;
            synchronized (this) {
                if (closed) {
                    throw new IOException("the connection to " + options.target() + " is closed");
                }
                first = connections.get(0);
                first.open++; // its channel takes a place for as long as it is open
            }
            try {
                current = SftpClientFactory.instance().createSftpClient(first.session);
            } catch (IOException | RuntimeException e) {
                release(first);
                throw new IOException(
                        "the SFTP server on " + options.target() + " did not start (" + e.getMessage()
                                + "); sshd runs it through the user's login shell, so a start-up file that prints"
                                + " to standard output (~/.bashrc, for one) breaks SFTP for every client: make it"
                                + " print only in interactive shells",
                        e);
            }
            current.getClientChannel().addCloseFutureListener(f -> release(first));
            sftp = current;
            return current;
        }
    }

    /**
     * Opens an exec channel for a command line, on a connection with a free place (opening another
     * connection, or waiting for a place, when all are taken).
     *
     * @param pty a terminal's type and size, or null for none
     */
    public ChannelExec exec(String command, @Nullable Pty pty, Duration timeout) throws IOException {
        while (true) {
            Connection connection = acquire(timeout);
            ChannelExec channel = null;
            try {
                channel = connection.session.createExecChannel(command);
                channel.addCloseFutureListener(f -> release(connection));
                if (pty != null) {
                    channel.setUsePty(true);
                    channel.setPtyType(pty.type());
                    channel.setPtyColumns(pty.columns());
                    channel.setPtyLines(pty.rows());
                }
                channel.open().verify(timeout);
                return channel;
            } catch (IOException e) {
                if (!(root(e) instanceof SshChannelOpenException) && !(e instanceof SshChannelOpenException)) {
                    if (channel != null) {
                        channel.close(true);
                    } else {
                        release(connection);
                    }
                    throw e;
                }
                // The server allows fewer channels than configured: this connection is full with the
                // ones open before this one; another connection carries the rest.
                int before;
                synchronized (this) {
                    before = connection.open - 1;
                    connection.capacity = Math.max(1, before);
                }
                if (channel != null) {
                    channel.close(true);
                } else {
                    release(connection);
                }
                if (before == 0) {
                    throw e; // refused on an idle connection: not a matter of numbers
                }
            } catch (RuntimeException e) {
                if (channel != null) {
                    channel.close(true);
                } else {
                    release(connection);
                }
                throw e;
            }
        }
    }

    /** A terminal's type and size. */
    public record Pty(String type, int columns, int rows) {}

    private Connection acquire(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                if (closed) {
                    throw new IOException("the connection to " + options.target() + " is closed");
                }
                if (!connections.get(0).session.isOpen()) {
                    throw new IOException("the connection to " + options.target() + " was lost");
                }
                connections.subList(1, connections.size()).removeIf(c -> !c.session.isOpen() && c.open == 0);
                for (Connection c : connections) {
                    if (c.session.isOpen() && c.open < c.capacity) {
                        c.open++;
                        return c;
                    }
                }
                if (connections.size() + connecting >= MAX_CONNECTIONS) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("no channel to " + options.target() + " came free within " + timeout);
                    }
                    try {
                        wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ExecutionCancelledException("interrupted while waiting for a channel", e);
                    }
                    continue;
                }
                connecting++;
            }
            // Logging in takes round trips: outside the lock, which channels' ends take on I/O threads.
            ClientSession session;
            try {
                session = login();
            } finally {
                synchronized (this) {
                    connecting--;
                }
            }
            synchronized (this) {
                if (closed) {
                    closeQuietly(session);
                    throw new IOException("the connection to " + options.target() + " is closed");
                }
                Connection more = new Connection(session, options.maxSessions());
                more.open++;
                connections.add(more);
                return more;
            }
        }
    }

    private synchronized void release(Connection connection) {
        connection.open--;
        notifyAll();
    }

    /** Whether the first connection is still up. */
    public synchronized boolean isOpen() {
        return !closed && connections.get(0).session.isOpen();
    }

    /** Closes the connections immediately (channels with them); the client's threads end. */
    @Override
    public void close() {
        List<Connection> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(connections);
            notifyAll();
        }
        SftpClient open = sftp;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // the connection goes anyway
            }
        }
        for (Connection c : all) {
            closeQuietly(c.session);
        }
        try {
            client.stop();
            client.close(true);
        } catch (RuntimeException e) {
            // stopping is best effort; nothing is left to reach
        }
    }

    private static void closeQuietly(ClientSession session) {
        try {
            session.close(true);
        } catch (RuntimeException e) {
            // already closing
        }
    }
}
