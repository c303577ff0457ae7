package dev.exxec.local;

import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import dev.exxec.testkit.HostProbe;
import java.util.Map;

/** The {@code local} provider keeps the environment contract (the hostile part skips itself: local is no sandbox). */
class LocalConformanceTest extends ConformanceKit {

    @Override
    protected EnvironmentFactory factory() {
        return EnvironmentFactory.of(LocalProvider.ID, Map.of(), HostProbe.localHost());
    }
}
