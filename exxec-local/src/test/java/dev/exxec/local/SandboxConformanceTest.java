package dev.exxec.local;

import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import dev.exxec.testkit.HostProbe;
import dev.exxec.testkit.Requirements;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The {@code sandbox} provider keeps the whole environment contract, hostile half included. */
class SandboxConformanceTest extends ConformanceKit {

    @BeforeAll
    static void requireBubblewrap() {
        Bubblewrap.Probe probe = Bubblewrap.probe();
        Requirements.require(probe.works(), probe.problem() + "; " + probe.fix());
    }

    @Override
    protected EnvironmentFactory factory() {
        return EnvironmentFactory.of(SandboxProvider.ID, Map.of(), HostProbe.localHost());
    }
}
