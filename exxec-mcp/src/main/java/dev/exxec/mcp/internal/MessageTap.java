package dev.exxec.mcp.internal;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Looks at every JSON-RPC message a client sends before the SDK reads it: stamps {@code tools/call}
 * requests with their {@link Calls} key and passes {@code notifications/cancelled} to {@link Calls}.
 * Anything it cannot parse goes on unchanged, for the SDK to answer with its own error.
 */
public final class MessageTap {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Calls calls;

    public MessageTap(Calls calls) {
        this.calls = calls;
    }

    /**
     * The message to hand to the SDK.
     *
     * @param session the session the message belongs to (stdio has one)
     * @param message one JSON-RPC message or batch
     */
    public String inbound(String session, String message) {
        // Most messages are neither: skip parsing them.
        if (!message.contains("tools/call") && !message.contains("notifications/cancelled")) {
            return message;
        }
        JsonNode root;
        try {
            root = JSON.readTree(message);
        } catch (JacksonException e) {
            return message;
        }
        boolean changed = false;
        if (root.isArray()) {
            for (JsonNode m : root) {
                changed |= visit(session, m);
            }
        } else {
            changed = visit(session, root);
        }
        return changed ? JSON.writeValueAsString(root) : message;
    }

    private boolean visit(String session, JsonNode message) {
        if (!(message instanceof ObjectNode m)) {
            return false;
        }
        String method = m.path("method").asString("");
        if (method.equals("tools/call") && m.has("id") && m.get("params") instanceof ObjectNode params) {
            String key = Calls.key(session, m.get("id").toString());
            JsonNode meta = params.get("_meta");
            ObjectNode metaObject = meta instanceof ObjectNode o ? o : params.putObject("_meta");
            metaObject.put(Calls.META_KEY, key);
            calls.announce(key);
            return true;
        }
        if (method.equals("notifications/cancelled")) {
            JsonNode requestId = m.path("params").get("requestId");
            if (requestId != null && !requestId.isNull()) {
                calls.cancel(Calls.key(session, requestId.toString()));
            }
        }
        return false;
    }
}
