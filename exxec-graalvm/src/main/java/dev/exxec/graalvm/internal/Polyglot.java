package dev.exxec.graalvm.internal;

import dev.exxec.Language;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;
import org.jspecify.annotations.Nullable;

/**
 * The polyglot side of one provider instance: which languages are on the class path, the one {@link
 * Engine} all its contexts share (parsed code and its caches survive from one context to the next),
 * and the watchdog threads that cancel contexts. Thread-safe.
 */
public final class Polyglot implements AutoCloseable {
    /** The version of the GraalVM artifacts exxec is built and tested with. */
    public static final String GRAALVM_VERSION = "25.0.3";

    private static final Map<Language, String> LANGUAGE_CLASSES = Map.of(
            Language.PYTHON, "com/oracle/graal/python/PythonLanguage.class",
            Language.JAVASCRIPT, "com/oracle/truffle/js/lang/JavaScriptLanguage.class");

    private final Set<Language> languages;
    private volatile @Nullable Engine engine;
    private final ExecutorService watchdog;
    private final Stragglers stragglers = new Stragglers();

    public Polyglot() {
        this(installed(Polyglot.class.getClassLoader()));
    }

    Polyglot(Set<Language> languages) {
        this.languages = Set.copyOf(languages);
        this.watchdog = Executors.newCachedThreadPool(platformThreads("exxec-graalvm-watchdog"));
    }

    /** The languages whose GraalVM implementation the class loader finds. */
    public static Set<Language> installed(@Nullable ClassLoader loader) {
        Set<Language> found = EnumSet.noneOf(Language.class);
        ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
        LANGUAGE_CLASSES.forEach((language, resource) -> {
            if (l.getResource(resource) != null) {
                found.add(language);
            }
        });
        return found;
    }

    /** The languages on the class path. */
    public Set<Language> languages() {
        return languages;
    }

    /**
     * Why {@code language} cannot run and which artifact adds it, or {@code null} when it can.
     *
     * @param installed the languages on the class path
     */
    public static @Nullable String missing(Language language, Set<Language> installed) {
        if (installed.contains(language)) {
            return null;
        }
        return switch (language) {
            case PYTHON ->
                "GraalPy is not on the class path: add the dependency org.graalvm.polyglot:python-community:"
                        + GRAALVM_VERSION + " (type pom)";
            case JAVASCRIPT ->
                "GraalJS is not on the class path: add the dependency org.graalvm.polyglot:js-community:"
                        + GRAALVM_VERSION + " (type pom)";
            case TYPESCRIPT ->
                "GraalJS runs no TypeScript (there is no transpiler in the JVM): use the local, sandbox or docker"
                        + " provider, or transpile to JavaScript first";
        };
    }

    /** The shared engine, built on first use (building it loads the languages: about a second). */
    public Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (this) {
                e = engine;
                if (e == null) {
                    engine = e = Engine.newBuilder(languages.stream()
                                    .map(l -> Guest.of(l).polyglotId())
                                    .toArray(String[]::new))
                            .sandbox(SandboxPolicy.CONSTRAINED)
                            .out(OutputStream.nullOutputStream())
                            .err(OutputStream.nullOutputStream())
                            // Without the optimizing runtime GraalVM warns on every engine; exxec's
                            // README says how to turn that runtime on.
                            .option("engine.WarnInterpreterOnly", "false")
                            .build();
                }
            }
        }
        return e;
    }

    /** The threads that cancel contexts. */
    public ExecutorService watchdog() {
        return watchdog;
    }

    /** The calls of all this engine's environments left running past their deadline. */
    public Stragglers stragglers() {
        return stragglers;
    }

    /**
     * Builds a context denied everything by default: the constrained sandbox policy, no host classes,
     * no native access, no processes, no threads, no host variables, and no file or network I/O unless
     * {@code files} confines it to the workspace. Its driver is not evaluated yet.
     *
     * @param guest the language
     * @param out its standard output
     * @param err its standard error
     * @param files the file system it sees, or {@code null} for none
     * @param cwd its working directory when it has a file system
     */
    public Context context(
            Guest guest, OutputStream out, OutputStream err, @Nullable FileSystem files, @Nullable Path cwd) {
        Context.Builder b = Context.newBuilder(guest.polyglotId())
                .engine(engine())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(out)
                .err(err)
                .in(InputStream.nullInputStream())
                .allowHostAccess(HostAccess.CONSTRAINED)
                .allowHostClassLookup(name -> false)
                .allowHostClassLoading(false)
                .allowNativeAccess(false)
                .allowCreateProcess(false)
                .allowCreateThread(false)
                // No host variables; the driver gives each call its own.
                .allowEnvironmentAccess(EnvironmentAccess.NONE);
        if (files != null) {
            b.allowIO(IOAccess.newBuilder().fileSystem(files).build());
            if (cwd != null) {
                b.currentWorkingDirectory(cwd);
            }
        } else {
            b.allowIO(IOAccess.NONE);
        }
        return b.build();
    }

    /** A factory of named platform daemon threads. */
    public static java.util.concurrent.ThreadFactory platformThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> Thread.ofPlatform()
                .name(name + "-" + n.incrementAndGet())
                .daemon(true)
                .unstarted(r);
    }

    /** Closes the engine (when one was built) and stops the watchdog. */
    @Override
    public synchronized void close() {
        watchdog.shutdown();
        Engine e = engine;
        engine = null;
        if (e != null) {
            e.close(true);
        }
    }
}
