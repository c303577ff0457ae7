package dev.exxec.mcp;

import dev.exxec.Exxec;
import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import dev.exxec.testkit.HostProbe;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@code mcp} provider keeps the contract for what it declares, against {@code exxec serve}
 * (in this JVM, over streamable HTTP on loopback) backed by {@code local}, one server-side environment
 * per MCP session. The kit skips what the remote tools do not give.
 */
@ExtendWith(McpConformanceTest.KnownGaps.class)
class McpConformanceTest extends ConformanceKit {

    /** Contract cases the mcp provider does not keep yet, disabled with the reason (see docs/design-notes.md). */
    static final class KnownGaps implements ExecutionCondition {
        private static final Map<String, String> GAPS = Map.of(
                "memoryStaysBoundedInASmallHeap",
                "a 10 MiB result arrives as one JSON-RPC message (text and structured content), which the SDK"
                        + " client holds whole: it does not fit a 64 MiB heap",
                "stopOnOutputLimitStopsTheCall",
                "the mcp provider refuses stopOnOutputLimit (it cannot stop a remote call at the limit: the call"
                        + " ran to its deadline; see McpProviderTest)");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> gap = context.getTestMethod().map(m -> GAPS.get(m.getName()));
            return gap.map(why -> ConditionEvaluationResult.disabled("known gap of the mcp provider: " + why))
                    .orElseGet(() -> ConditionEvaluationResult.enabled("kept by the mcp provider"));
        }
    }

    private static ExxecMcpServer.HttpEndpoint endpoint;

    static synchronized String url() {
        if (endpoint == null) {
            endpoint = ExxecMcpServer.builder(() -> Exxec.environment("local", Map.of()))
                    .perSession(true)
                    .maxOutputChars(50 << 20)
                    .build()
                    .serveHttp("127.0.0.1", 0, null);
        }
        return endpoint.uri().toString();
    }

    @AfterAll
    static synchronized void stop() {
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
    }

    @Override
    protected EnvironmentFactory factory() {
        // The code runs on this host, in processes of this JVM's server: the local probe sees them.
        return EnvironmentFactory.of(McpProvider.ID, Map.of("url", url()), HostProbe.localHost());
    }
}
