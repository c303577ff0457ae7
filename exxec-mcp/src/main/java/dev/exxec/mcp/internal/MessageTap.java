package dev.exxec.mcp.internal;

import org.jspecify.annotations.Nullable;
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
     * The message to hand to the SDK, or null when it was a lone {@code notifications/cancelled},
     * handled here (the SDK would only warn that it has no handler for it).
     *
     * @param session the session the message belongs to (stdio has one)
     * @param message one JSON-RPC message or batch
     */
    public @Nullable String inbound(String session, String message) {
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
            if (root.path("method").asString("").equals("notifications/cancelled")) {
                return null;
            }
        }
        return changed ? JSON.writeValueAsString(root) : message;
    }

    /**
     * Why a line of the stdio transport is not a JSON-RPC message, or null when it is one: the SDK's
     * stdio transport stops reading at the first line it cannot parse, so such lines never reach it.
     */
    public static @Nullable String notAMessage(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !(node.isObject() || node.isArray())) {
                return "a message must be a JSON object";
            }
            return null;
        } catch (JacksonException e) {
            return "not JSON: " + e.getOriginalMessage();
        }
    }

    /** The JSON-RPC answer to a line that is not a message. */
    public static String parseError(String why) {
        return error(-32700, "Parse error: " + why);
    }

    /** A JSON-RPC error answer without an id. */
    static String error(int code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("jsonrpc", "2.0");
        error.putNull("id");
        ObjectNode e = error.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return JSON.writeValueAsString(error);
    }

    /** Whether a message is an {@code initialize} request (one that opens a session). */
    static boolean isInitialize(String message) {
        if (!message.contains("initialize")) {
            return false;
        }
        try {
            JsonNode root = JSON.readTree(message);
            return root != null
                    && root.isObject()
                    && "initialize".equals(root.path("method").asString(""));
        } catch (JacksonException e) {
            return false;
        }
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
