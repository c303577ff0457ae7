package dev.exxec.local;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Language;
import dev.exxec.local.internal.Bubblewrap;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.local.internal.Interpreters;
import dev.exxec.local.internal.SandboxUser;
import dev.exxec.spi.Availability;
import dev.exxec.spi.ConfigReader;
import dev.exxec.spi.ExecutionProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code sandbox} provider (alias {@code srt}); see {@link SandboxEnvironment}. */
public final class SandboxProvider implements ExecutionProvider {
    /** Its id. */
    public static final String ID = "sandbox";

    static final List<ConfigKey> KEYS;

    static {
        List<ConfigKey> keys = new ArrayList<>(LocalConfig.KEYS);
        keys.removeIf(k -> k.name().equals("inheritEnv"));
        keys.addAll(SandboxPolicy.KEYS);
        KEYS = List.copyOf(keys);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("srt");
    }

    @Override
    public String description() {
        return "a fresh interpreter process per execution inside a bubblewrap sandbox: namespaces, read-only system,"
                + " writable workspace only, no network by default, resource limits";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return KEYS;
    }

    @Override
    public Availability availability() {
        Bubblewrap.Probe bwrap = Bubblewrap.probe();
        if (!bwrap.works()) {
            return Availability.unavailable(String.valueOf(bwrap.problem()), String.valueOf(bwrap.fix()));
        }
        Interpreters.Found found = Interpreters.find(LocalConfig.defaults());
        List<String> details = new ArrayList<>();
        details.add("bubblewrap: " + bwrap.version() + " at " + bwrap.executable());
        SandboxUser user = SandboxUser.of(SandboxUser.DEFAULT_UID);
        details.add("code runs as: "
                + (user.drops()
                        ? "the unprivileged host " + user.describe() + " (exxec runs as root; config key sandboxUid)"
                        : user.describe()));
        Cgroups cgroups = Cgroups.detect();
        details.add("memory and process limits: "
                + (cgroups.available()
                        ? "enforced (" + cgroups.description() + ")"
                        : "not enforced: " + cgroups.description()));
        for (Language language : Language.values()) {
            details.add(language.id() + ": " + found.describe(language));
        }
        return Availability.available("runs " + found.languages() + " and shell commands in a sandbox", details);
    }

    @Override
    public ExecutionEnvironment create(Map<String, ?> config) {
        ConfigReader reader = new ConfigReader(ID, config, KEYS);
        LocalConfig local = LocalConfig.read(reader);
        SandboxPolicy policy = SandboxPolicy.read(reader);
        reader.finish();
        return new HostEnvironment(local, new Sandboxed(policy));
    }
}
