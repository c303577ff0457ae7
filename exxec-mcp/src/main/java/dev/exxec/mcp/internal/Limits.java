package dev.exxec.mcp.internal;

import java.time.Duration;

/**
 * What one server lets its clients use: every resource a client can make is capped, idle ones expire,
 * and every call has a finite deadline. The settings of {@link dev.exxec.mcp.ExxecMcpServer.Builder},
 * checked there.
 *
 * @param maxSessions MCP sessions open at once over HTTP
 * @param sessionIdle how long an HTTP session may sit without a request or a running call before it
 *     expires (its environment, processes and calls closed)
 * @param maxNamedSessions interpreter sessions ({@code execute_code} with {@code session}) open at once
 * @param namedSessionIdle how long one of them may sit unused before it is closed
 * @param maxProcesses background processes running at once, over all sessions
 * @param maxProcessesPerSession background processes running at once in one MCP session
 * @param processRetention how long a background process that ended stays readable before it is dropped
 * @param maxCalls tool calls running at once, over all sessions
 * @param maxCallsPerSession tool calls running at once in one MCP session
 * @param defaultTimeout the deadline of a call that names none
 * @param maxTimeout the longest deadline a call may name
 * @param httpIdleTimeout how long an HTTP connection may sit without traffic while it sends a request
 *     or waits for the next one
 * @param maxConnections HTTP connections open at once; more wait to be accepted
 */
public record Limits(
        int maxSessions,
        Duration sessionIdle,
        int maxNamedSessions,
        Duration namedSessionIdle,
        int maxProcesses,
        int maxProcessesPerSession,
        Duration processRetention,
        int maxCalls,
        int maxCallsPerSession,
        Duration defaultTimeout,
        Duration maxTimeout,
        Duration httpIdleTimeout,
        int maxConnections) {

    /** The defaults of {@code exxec serve}. */
    public static final Limits DEFAULTS = new Limits(
            32,
            Duration.ofMinutes(15),
            16,
            Duration.ofMinutes(10),
            64,
            16,
            Duration.ofMinutes(10),
            64,
            32,
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            Duration.ofSeconds(30),
            256);

    public Limits {
        positive("maxSessions", maxSessions);
        positive("maxNamedSessions", maxNamedSessions);
        positive("maxProcesses", maxProcesses);
        positive("maxProcessesPerSession", maxProcessesPerSession);
        positive("maxCalls", maxCalls);
        positive("maxCallsPerSession", maxCallsPerSession);
        positive("maxConnections", maxConnections);
        positive("sessionIdle", sessionIdle);
        positive("namedSessionIdle", namedSessionIdle);
        positive("processRetention", processRetention);
        positive("defaultTimeout", defaultTimeout);
        positive("maxTimeout", maxTimeout);
        positive("httpIdleTimeout", httpIdleTimeout);
        if (defaultTimeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException(
                    "defaultTimeout (" + defaultTimeout + ") must not exceed maxTimeout (" + maxTimeout + ")");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }
}
