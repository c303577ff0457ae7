package dev.exxec.docker;

import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The {@code docker} provider keeps the whole environment contract, hostile half included. */
class DockerConformanceTest extends ConformanceKit {

    @BeforeAll
    static void requireDocker() {
        DockerTests.requireDaemonAndImage();
    }

    @Override
    protected EnvironmentFactory factory() {
        return EnvironmentFactory.of(DockerProvider.ID, Map.of(), new DockerHostProbe());
    }
}
