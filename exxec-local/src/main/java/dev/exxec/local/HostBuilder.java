package dev.exxec.local;

import dev.exxec.spi.SettingsBuilder;
import org.jspecify.annotations.Nullable;

/**
 * The settings both host providers' builders share: the shared environment settings and the
 * interpreters to use.
 *
 * @param <B> the builder type, returned by every setter
 */
abstract class HostBuilder<B extends HostBuilder<B>> extends SettingsBuilder<B> {
    private @Nullable String python;
    private @Nullable String node;
    private @Nullable String typescript;
    private boolean zygote = true;

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The Python interpreter (command or path). */
    public B python(String python) {
        this.python = python;
        return self();
    }

    /** The Node.js executable (command or path). */
    public B node(String node) {
        this.node = node;
        return self();
    }

    /** The TypeScript runner: tsx, ts-node or deno (command or path). */
    public B typescript(String typescript) {
        this.typescript = typescript;
        return self();
    }

    /**
     * Whether one-shot Python calls fork from a zygote, an interpreter started on the first call
     * (default true: it pays off from the second call on); false runs every call in a fresh interpreter.
     */
    public B zygote(boolean zygote) {
        this.zygote = zygote;
        return self();
    }

    /** The configuration set so far. */
    final LocalConfig config() {
        return new LocalConfig(settings(), python, node, typescript, zygote);
    }
}
