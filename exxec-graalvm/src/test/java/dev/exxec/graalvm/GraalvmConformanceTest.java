package dev.exxec.graalvm;

import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import dev.exxec.testkit.HostProbe;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code graalvm} provider keeps the environment contract for what it declares: Python and
 * JavaScript, streaming, files, sessions; no commands, processes or terminals. The kit's file tests
 * need the code to share the workspace, so its environments have {@code fileAccess=workspace}; the
 * default (no files) is proven by {@link GraalvmEnvironmentTest}. The code runs inside this JVM, not
 * as processes of its own, and its interpreter needs heap beside the output the kit floods.
 */
class GraalvmConformanceTest extends ConformanceKit {

    @Override
    protected EnvironmentFactory factory() {
        EnvironmentFactory base =
                EnvironmentFactory.of(GraalvmProvider.ID, Map.of("fileAccess", "workspace"), HostProbe.localHost());
        return new EnvironmentFactory() {
            @Override
            public String providerId() {
                return base.providerId();
            }

            @Override
            public Map<String, Object> config() {
                return base.config();
            }

            @Override
            public Optional<HostProbe> probe() {
                return base.probe();
            }

            @Override
            public boolean codeRunsInOwnProcess() {
                return false;
            }

            @Override
            public String smallHeap() {
                return "384m";
            }
        };
    }
}
