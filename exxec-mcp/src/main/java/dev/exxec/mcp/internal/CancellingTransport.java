package dev.exxec.mcp.internal;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A client transport that can cancel a tool call: the SDK's client sends no
 * {@code notifications/cancelled} and does not say which request id a call got, so this transport
 * notes the id of every {@code tools/call} by the call's progress token as the request goes out.
 */
public final class CancellingTransport implements McpClientTransport {
    private static final Logger LOG = LoggerFactory.getLogger(CancellingTransport.class);

    private final McpClientTransport delegate;
    private final Map<Object, Object> requestIds = new ConcurrentHashMap<>();

    public CancellingTransport(McpClientTransport delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return delegate.connect(handler);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest request
                && McpSchema.METHOD_TOOLS_CALL.equals(request.method())
                && request.params() instanceof McpSchema.CallToolRequest call
                && call.progressToken() != null) {
            requestIds.put(call.progressToken(), request.id());
        }
        return delegate.sendMessage(message);
    }

    /** Forgets a finished call. */
    public void finished(Object progressToken) {
        requestIds.remove(progressToken);
    }

    /** Tells the server to stop the call with this progress token; false when no such call went out. */
    public boolean cancel(Object progressToken, String reason) {
        Object id = requestIds.remove(progressToken);
        if (id == null) {
            return false;
        }
        try {
            delegate.sendMessage(new McpSchema.JSONRPCNotification(
                            McpSchema.JSONRPC_VERSION,
                            "notifications/cancelled",
                            Map.of("requestId", id, "reason", reason)))
                    .block(Duration.ofSeconds(5));
            return true;
        } catch (RuntimeException e) {
            LOG.debug("could not send notifications/cancelled", e);
            return false;
        }
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate.setExceptionHandler(handler);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate.unmarshalFrom(data, typeRef);
    }
}
