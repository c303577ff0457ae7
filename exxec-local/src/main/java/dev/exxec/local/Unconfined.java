package dev.exxec.local;

import dev.exxec.Capabilities;
import dev.exxec.Isolation;
import dev.exxec.Language;
import dev.exxec.NetworkAccess;
import dev.exxec.ResourceLimits;
import dev.exxec.spi.HostProcess;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code local} provider's confinement: none; processes run as the JVM's user, on the host. */
final class Unconfined implements Confinement {
    private String workspace = "";

    @Override
    public String providerId() {
        return LocalProvider.ID;
    }

    @Override
    public void start(Path root, Path workspace) {
        this.workspace = workspace.toString();
    }

    @Override
    public Capabilities capabilities(Set<Language> languages) {
        return Confinement.hostCapabilities(languages)
                .inheritEnv(true)
                .isolation(Isolation.PROCESS)
                .network(NetworkAccess.FULL)
                .limits(ResourceLimits.NONE)
                .build();
    }

    @Override
    public String visibleWorkspace() {
        return workspace;
    }

    @Override
    public boolean confined() {
        return false;
    }

    @Override
    public String visible(Path hostFile) {
        return hostFile.toString();
    }

    @Override
    public boolean resultFile() {
        return true;
    }

    @Override
    public HostProcess.SessionMode session(Use use, boolean pythonDriver) {
        // The Python driver calls setsid() itself, which saves an exec per run.
        return pythonDriver ? HostProcess.SessionMode.SELF : HostProcess.SessionMode.SETSID;
    }

    @Override
    public Launch prepare(
            List<String> command,
            Map<String, String> env,
            Path hostCwd,
            String visibleCwd,
            Use use,
            Collection<Path> installations) {
        return new Launch(command, hostCwd, env, null, null);
    }

    @Override
    public void close() {}
}
