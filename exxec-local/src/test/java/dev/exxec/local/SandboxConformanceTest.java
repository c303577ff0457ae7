package dev.exxec.local;

import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import dev.exxec.testkit.HostProbe;
import dev.exxec.testkit.Requirements;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The {@code sandbox} provider keeps the whole environment contract, hostile half included. */
class SandboxConformanceTest extends ConformanceKit {

    @BeforeAll
    static void requireBubblewrap() {
        Requirements.require(onPath("bwrap"), "bubblewrap (bwrap) is not installed; apt-get install bubblewrap");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected EnvironmentFactory factory() {
        return EnvironmentFactory.of(SandboxProvider.ID, Map.of(), HostProbe.localHost());
    }
}
