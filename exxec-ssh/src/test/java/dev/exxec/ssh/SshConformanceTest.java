package dev.exxec.ssh;

import dev.exxec.testkit.ConformanceKit;
import dev.exxec.testkit.EnvironmentFactory;
import dev.exxec.testkit.HostProbe;

/**
 * The {@code ssh} provider keeps the environment contract against a real OpenSSH server on
 * 127.0.0.1: the "remote" host is this machine, so the local probe sees its processes and files.
 */
class SshConformanceTest extends ConformanceKit {

    @Override
    protected EnvironmentFactory factory() {
        return EnvironmentFactory.of(SshProvider.ID, SshServer.get().config(), HostProbe.localHost());
    }
}
