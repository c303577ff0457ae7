package dev.exxec.ssh.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentKeyConstraint;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * A client of an SSH agent (OpenSSH's {@code ssh-agent}, or any that speaks its protocol) over the
 * Unix socket that {@code SSH_AUTH_SOCK} names: lists the agent's keys and has it sign, so private
 * keys never enter this JVM. Java's own Unix-domain sockets, no native library.
 */
public final class AgentClient implements SshAgent {
    private static final byte FAILURE = 5;
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    private static final int RSA_SHA2_256 = 2;
    private static final int RSA_SHA2_512 = 4;
    private static final int MAX_MESSAGE = 256 * 1024;

    private final Path socket;
    private SocketChannel channel;

    public AgentClient(Path socket) throws IOException {
        this.socket = socket;
        this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot reach the SSH agent at " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Sends one request (type and body) and returns the answer's body after its type, checked. */
    private synchronized Buffer request(byte type, byte[] body, byte expected) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(5 + body.length);
        out.putInt(1 + body.length).put(type).put(body).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        ByteBuffer length = ByteBuffer.allocate(4);
        readFully(length);
        int n = length.flip().getInt();
        if (n < 1 || n > MAX_MESSAGE) {
            throw new IOException("the SSH agent at " + socket + " sent a message of " + n + " bytes");
        }
        ByteBuffer message = ByteBuffer.allocate(n);
        readFully(message);
        byte[] bytes = message.array();
        if (bytes[0] != expected) {
            throw new IOException("the SSH agent at " + socket + " refused ("
                    + (bytes[0] == FAILURE ? "failure" : "message type " + bytes[0]) + ")");
        }
        ByteArrayBuffer answer = new ByteArrayBuffer(bytes);
        answer.getByte();
        return answer;
    }

    private void readFully(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new IOException("the SSH agent at " + socket + " closed the connection");
            }
        }
    }

    @Override
    public Iterable<? extends Map.Entry<PublicKey, String>> getIdentities() throws IOException {
        Buffer answer = request(REQUEST_IDENTITIES, new byte[0], IDENTITIES_ANSWER);
        long count = answer.getUInt();
        List<Map.Entry<PublicKey, String>> keys = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            byte[] blob = answer.getBytes();
            String comment = answer.getString();
            try {
                keys.add(new SimpleImmutableEntry<>(new ByteArrayBuffer(blob).getRawPublicKey(), comment));
            } catch (RuntimeException e) {
                // a key type this client cannot use: skipped
            }
        }
        return keys;
    }

    @Override
    public Map.Entry<String, byte[]> sign(SessionContext session, PublicKey key, String algorithm, byte[] data)
            throws IOException {
        ByteArrayBuffer body = new ByteArrayBuffer();
        ByteArrayBuffer blob = new ByteArrayBuffer();
        blob.putRawPublicKey(key);
        body.putBytes(blob.getCompactData());
        body.putBytes(data);
        int flags = 0;
        if (KeyUtils.RSA_SHA256_KEY_TYPE_ALIAS.equals(algorithm)) {
            flags = RSA_SHA2_256;
        } else if (KeyUtils.RSA_SHA512_KEY_TYPE_ALIAS.equals(algorithm)) {
            flags = RSA_SHA2_512;
        }
        body.putUInt(flags);
        Buffer answer = request(SIGN_REQUEST, body.getCompactData(), SIGN_RESPONSE);
        Buffer signature = new ByteArrayBuffer(answer.getBytes());
        String used = signature.getString();
        return new SimpleImmutableEntry<>(used, signature.getBytes());
    }

    @Override
    public void addIdentity(java.security.KeyPair key, String comment, SshAgentKeyConstraint... constraints) {
        throw new UnsupportedOperationException("exxec only uses the agent's keys");
    }

    @Override
    public void removeIdentity(PublicKey key) {
        throw new UnsupportedOperationException("exxec only uses the agent's keys");
    }

    @Override
    public void removeAllIdentities() {
        throw new UnsupportedOperationException("exxec only uses the agent's keys");
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
