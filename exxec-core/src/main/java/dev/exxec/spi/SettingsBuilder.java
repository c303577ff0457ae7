package dev.exxec.spi;

import dev.exxec.Language;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The part of every provider's typed builder that sets the {@link EnvironmentSettings} all
 * environments share; a provider's builder extends it and adds its own settings. Not thread-safe.
 *
 * @param <B> the provider's builder type, returned by every setter
 */
public abstract class SettingsBuilder<B extends SettingsBuilder<B>> {
    private EnvironmentSettings settings = EnvironmentSettings.DEFAULTS;
    private final Map<String, String> env = new LinkedHashMap<>();

    protected SettingsBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The default deadline of a call ({@link Duration#ZERO} for none). */
    public B timeout(Duration timeout) {
        settings = settings.withTimeout(timeout);
        return self();
    }

    /** The language of {@code execute(String)}. */
    public B language(Language language) {
        settings = settings.withLanguage(language);
        return self();
    }

    /** A variable set for every call. */
    public B env(String name, String value) {
        env.put(name, value);
        return self();
    }

    /** The default working directory (relative to the workspace, or absolute). */
    public B cwd(String cwd) {
        settings = settings.withCwd(cwd);
        return self();
    }

    /** Bytes kept per output stream; with {@code stop}, exceeding it stops the call. */
    public B outputLimit(long bytes, boolean stop) {
        settings = settings.withOutputLimit(bytes, stop);
        return self();
    }

    /** Whether the host's variables are passed to the code (where the provider allows it). */
    public B inheritEnv(boolean inherit) {
        settings = settings.withInheritEnv(inherit);
        return self();
    }

    /** Whether the workspace survives close. */
    public B keepWorkspace(boolean keep) {
        settings = settings.withKeepWorkspace(keep);
        return self();
    }

    /** The shared settings set so far. */
    protected final EnvironmentSettings settings() {
        return settings.withEnv(env);
    }
}
