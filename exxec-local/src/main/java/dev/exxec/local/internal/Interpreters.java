package dev.exxec.local.internal;

import dev.exxec.Language;
import dev.exxec.internal.PlatformThreads;
import dev.exxec.internal.Reaper;
import dev.exxec.internal.TreeRemoval;
import dev.exxec.local.LocalConfig;
import dev.exxec.spi.DriverProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Finds the interpreters a local environment runs code with, once per JVM for each configured
 * command.
 *
 * <p>Each interpreter is asked for its real executable, so launcher shims (pyenv, asdf, nvm
 * wrappers) are paid for once, not on every execution. The Python driver is compiled to a {@code .pyc}
 * by the interpreter itself, which saves compiling it on every start.
 */
public final class Interpreters {
    private static final int PROBE_TIMEOUT_SECONDS = 20;
    private static final Map<String, Resolution> CACHE = new ConcurrentHashMap<>();
    private static volatile @Nullable Path driverRoot;

    private Interpreters() {}

    /** A Python interpreter ready to run the driver. */
    /**
     * A Python interpreter ready to run the driver.
     *
     * @param executable its real executable
     * @param version its version
     * @param driver the driver, compiled for it
     * @param support the driver's support module
     * @param installation the directories it runs from ({@code sys.prefix} and {@code sys.base_prefix})
     */
    public record Python(Path executable, String version, Path driver, Path support, List<Path> installation) {}

    /** A Node.js executable. */
    public record Node(Path executable, String version) {
        /** The directory it is installed in ({@code /usr} for {@code /usr/bin/node}). */
        public Path installation() {
            Path bin = executable.getParent();
            return bin != null && bin.getParent() != null ? bin.getParent() : executable;
        }
    }

    /**
     * A way to run TypeScript.
     *
     * @param runner the tool found ({@code tsx}, {@code ts-node}, {@code deno})
     * @param executable what runs the driver: node, or deno itself
     * @param transpiler the driver's {@code transpiler} header value
     * @param version the tool's version or path, for messages
     * @param installation the directories it and its transpiler run from
     */
    public record TypeScript(
            String runner, Path executable, String transpiler, String version, List<Path> installation) {
        /** Whether the driver runs on Deno rather than Node.js. */
        public boolean deno() {
            return transpiler.equals("native");
        }
    }

    private record Resolution(
            @Nullable Object runtime, @Nullable String problem) {}

    /** What was found for each language, and why the others are missing. */
    public record Found(
            @Nullable Python python,
            @Nullable Node node,
            @Nullable TypeScript typescript,
            Map<Language, String> problems) {

        /** The languages that can run. */
        public Set<Language> languages() {
            Set<Language> set = EnumSet.noneOf(Language.class);
            if (python != null) {
                set.add(Language.PYTHON);
            }
            if (node != null) {
                set.add(Language.JAVASCRIPT);
            }
            if (typescript != null) {
                set.add(Language.TYPESCRIPT);
            }
            return set;
        }

        /** One line about a language: what runs it, or why nothing does. */
        public String describe(Language language) {
            return switch (language) {
                case PYTHON ->
                    python != null
                            ? "Python " + python.version() + " at " + python.executable()
                            : problems.get(language);
                case JAVASCRIPT ->
                    node != null ? "Node.js " + node.version() + " at " + node.executable() : problems.get(language);
                case TYPESCRIPT ->
                    typescript != null
                            ? typescript.runner() + " " + typescript.version() + " (runs on " + typescript.executable()
                                    + ")"
                            : problems.get(language);
            };
        }
    }

    /** Whether {@code /bin/sh} exists. */
    public static boolean hasShell() {
        return Files.isExecutable(Path.of("/bin/sh"));
    }

    /** This JVM's PATH, where commands are looked up. */
    public static String systemPath() {
        return Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
    }

    /** Resolves the interpreters of a configuration on this JVM's PATH (in parallel, cached per JVM). */
    public static Found find(LocalConfig config) {
        return find(config, systemPath());
    }

    /**
     * The outcome of resolving one language.
     *
     * @param runtime what runs it, or {@code null}
     * @param problem why nothing does, or {@code null}
     */
    public record Lookup<T>(@Nullable T runtime, @Nullable String problem) {}

    /** Resolves Python alone (cached per JVM). */
    public static Lookup<Python> python(LocalConfig config, String path) {
        Resolution r = python(config.python(), path);
        return new Lookup<>((Python) r.runtime(), r.problem());
    }

    /** Resolves Node.js alone (cached per JVM). */
    public static Lookup<Node> node(LocalConfig config, String path) {
        Resolution r = node(config.node(), path);
        return new Lookup<>((Node) r.runtime(), r.problem());
    }

    /** Resolves the TypeScript runner, and Node.js where it needs it (cached per JVM). */
    public static Lookup<TypeScript> typescript(LocalConfig config, String path) {
        Resolution r = typescript(config.typescript(), node(config, path).runtime(), path);
        return new Lookup<>((TypeScript) r.runtime(), r.problem());
    }

    /** The file a command names on {@code path} (or as a path), without running it. */
    public static Optional<Path> locate(String command, String path) {
        return which(command, path);
    }

    /** Resolves the interpreters of a configuration, looking up commands on {@code path}. */
    public static Found find(LocalConfig config, String path) {
        CompletableFuture<Resolution> python = async(() -> python(config.python(), path));
        CompletableFuture<Resolution> node = async(() -> node(config.node(), path));
        Resolution nodeResolution = node.join();
        CompletableFuture<Resolution> ts =
                async(() -> typescript(config.typescript(), (Node) nodeResolution.runtime(), path));
        Resolution py = python.join();
        Resolution tsResolution = ts.join();
        Map<Language, String> problems = new java.util.EnumMap<>(Language.class);
        if (py.problem() != null) {
            problems.put(Language.PYTHON, py.problem());
        }
        if (nodeResolution.problem() != null) {
            problems.put(Language.JAVASCRIPT, nodeResolution.problem());
        }
        if (tsResolution.problem() != null) {
            problems.put(Language.TYPESCRIPT, tsResolution.problem());
        }
        return new Found(
                (Python) py.runtime(), (Node) nodeResolution.runtime(), (TypeScript) tsResolution.runtime(), problems);
    }

    private static CompletableFuture<Resolution> async(java.util.function.Supplier<Resolution> work) {
        CompletableFuture<Resolution> f = new CompletableFuture<>();
        Thread.ofVirtual().name("exxec-probe").start(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.complete(new Resolution(null, "probe failed: " + e.getMessage()));
            }
        });
        return f;
    }

    /** A command name on PATH or a path, as an executable file. */
    static Optional<Path> which(String command, String path) {
        if (command.contains("/")) {
            Path p = Path.of(command).toAbsolutePath();
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Resolution python(@Nullable String configured, String path) {
        String command = configured != null ? configured : "python3";
        return CACHE.computeIfAbsent(
                "python\0" + command + "\0" + path, k -> probePython(command, configured != null, path));
    }

    private static Resolution probePython(String command, boolean configured, String path) {
        Optional<Path> found = which(command, path);
        if (found.isEmpty()) {
            return new Resolution(null, notFound(command, configured, "python", "install Python 3 (python3)"));
        }
        try {
            Path dir = Files.createTempDirectory(driverRoot(), "python-", READABLE);
            DriverProtocol.install(dir);
            Path pyc = dir.resolve("python_driver.pyc");
            // One start tells the real executable (behind any shim) and compiles the driver for it.
            List<String> out = probe(List.of(
                    found.get().toString(),
                    "-c",
                    "import sys, py_compile\n"
                            + "print(sys.executable)\n"
                            + "print(sys.prefix)\n"
                            + "print(sys.base_prefix)\n"
                            + "print('%d.%d.%d' % sys.version_info[:3], sys.version_info[0])\n"
                            + "py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)\n",
                    dir.resolve(DriverProtocol.PYTHON_DRIVER).toString(),
                    pyc.toString()));
            if (out == null || out.size() < 4) {
                return new Resolution(
                        null,
                        command + " at " + found.get() + " did not run as Python 3"
                                + (configured ? " (config key 'python')" : ""));
            }
            String[] version = out.get(3).split(" ");
            if (!version[version.length - 1].equals("3")) {
                return new Resolution(
                        null,
                        command + " at " + found.get() + " is Python " + version[0] + ", exxec needs Python 3"
                                + (configured ? " (config key 'python')" : ""));
            }
            Path executable = out.get(0).isBlank() ? found.get() : Path.of(out.get(0));
            Path driver = Files.isRegularFile(pyc) ? pyc : dir.resolve(DriverProtocol.PYTHON_DRIVER);
            return new Resolution(
                    new Python(
                            executable,
                            version[0],
                            driver,
                            dir.resolve(DriverProtocol.PYTHON_SUPPORT),
                            List.of(Path.of(out.get(1)), Path.of(out.get(2))).stream()
                                    .distinct()
                                    .toList()),
                    null);
        } catch (IOException e) {
            return new Resolution(null, "could not prepare the Python driver: " + e.getMessage());
        }
    }

    private static Resolution node(@Nullable String configured, String path) {
        String command = configured != null ? configured : "node";
        return CACHE.computeIfAbsent(
                "node\0" + command + "\0" + path, k -> probeNode(command, configured != null, path));
    }

    private static Resolution probeNode(String command, boolean configured, String path) {
        Optional<Path> found = which(command, path);
        if (found.isEmpty()) {
            return new Resolution(null, notFound(command, configured, "node", "install Node.js"));
        }
        List<String> out = probe(List.of(
                found.get().toString(), "-e", "console.log(process.execPath); console.log(process.versions.node)"));
        if (out == null || out.size() < 2) {
            return new Resolution(
                    null,
                    command + " at " + found.get() + " did not run as Node.js"
                            + (configured ? " (config key 'node')" : ""));
        }
        return new Resolution(new Node(Path.of(out.get(0)), out.get(1)), null);
    }

    private static final List<String> TYPESCRIPT_RUNNERS = List.of("tsx", "ts-node", "deno");

    private static Resolution typescript(@Nullable String configured, @Nullable Node node, String path) {
        String key = "typescript\0" + configured + "\0" + (node == null ? "" : node.executable()) + "\0" + path;
        return CACHE.computeIfAbsent(key, k -> {
            if (configured != null) {
                return probeTypeScript(configured, node, true, path);
            }
            for (String runner : TYPESCRIPT_RUNNERS) {
                Resolution r = probeTypeScript(runner, node, false, path);
                if (r.runtime() != null) {
                    return r;
                }
            }
            return new Resolution(
                    null,
                    "no TypeScript runner found (tried tsx, ts-node, deno on PATH); "
                            + "install one (npm install -g tsx) or set 'typescript' to its path");
        });
    }

    private static Resolution probeTypeScript(String command, @Nullable Node node, boolean configured, String path) {
        Optional<Path> found = which(command, path);
        String suffix = configured ? " (config key 'typescript')" : "";
        if (found.isEmpty()) {
            return new Resolution(null, notFound(command, configured, "typescript", "npm install -g tsx"));
        }
        Path real;
        try {
            real = found.get().toRealPath();
        } catch (IOException e) {
            real = found.get();
        }
        String name = found.get().getFileName().toString();
        if (name.startsWith("deno") || real.getFileName().toString().startsWith("deno")) {
            List<String> out = probe(List.of(found.get().toString(), "--version"));
            if (out == null || out.isEmpty() || !out.get(0).startsWith("deno")) {
                return new Resolution(null, command + " at " + found.get() + " did not run as Deno" + suffix);
            }
            return new Resolution(
                    new TypeScript("deno", real, "native", out.get(0).split(" ")[1], List.of(real.getParent())), null);
        }
        String module;
        if (name.startsWith("tsx") || real.toString().contains("/tsx/")) {
            module = "esbuild";
        } else if (name.startsWith("ts-node") || real.toString().contains("/ts-node/")) {
            module = "typescript";
        } else {
            return new Resolution(
                    null,
                    "'" + command + "' is not a TypeScript runner exxec knows; use tsx, ts-node or deno" + suffix);
        }
        if (node == null) {
            return new Resolution(
                    null, command + " needs Node.js, which was not found; install Node.js or set 'node'" + suffix);
        }
        Path packageRoot = packageRoot(real).orElse(real.getParent());
        // Node resolves the transpiler the way the runner itself would, from the runner's package,
        // and checks that it has the transpile API the driver uses.
        List<String> out = probe(List.of(
                node.executable().toString(),
                "-e",
                "const path = require('path'); const [module, root] = process.argv.slice(1);"
                        + "const r = require.resolve(module, {paths: [root]}); const m = require(r);"
                        + "const usable = module === 'esbuild' ? typeof m.transformSync === 'function'"
                        + " : typeof m.transpileModule === 'function';"
                        + "let v = ''; try { v = require(path.join(root, 'package.json')).version } catch (e) {}"
                        + "console.log(r); console.log(v); console.log(usable ? 'usable' : 'unusable ' + (m.version || ''))",
                module,
                packageRoot.toString()));
        if (out == null || out.size() < 3 || out.get(0).isBlank()) {
            return new Resolution(
                    null,
                    command + " at " + found.get() + ": its transpiler '" + module + "' could not be loaded from "
                            + packageRoot + "; reinstall it (npm install -g " + name + ")" + suffix);
        }
        if (!out.get(2).equals("usable")) {
            return new Resolution(
                    null,
                    command + " at " + found.get() + " uses TypeScript "
                            + out.get(2).substring("unusable".length()).trim()
                            + ", which has no transpileModule API (TypeScript 7 dropped it); install typescript@5"
                            + " (npm install -g typescript@5) or use tsx" + suffix);
        }
        String version = out.size() > 1 && !out.get(1).isBlank() ? out.get(1) : real.toString();
        // The node_modules directory holding the runner also holds what it depends on (hoisted).
        Path modules = packageRoot.getParent() != null ? packageRoot.getParent() : packageRoot;
        Path transpiler = Path.of(out.get(0));
        List<Path> installation =
                transpiler.startsWith(modules) ? List.of(modules) : List.of(modules, transpiler.getParent());
        return new Resolution(
                new TypeScript(name, node.executable(), module + ":" + out.get(0), version, installation), null);
    }

    /** The directory of the npm package a file belongs to. */
    private static Optional<Path> packageRoot(Path file) {
        for (Path dir = file.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("package.json"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static String notFound(String command, boolean configured, String key, String install) {
        if (configured) {
            return "interpreter '" + command + "' set by config key '" + key + "' was not found or is not executable";
        }
        return "no '" + command + "' on PATH; " + install + " or set config key '" + key + "' to its path";
    }

    /** Runs a probe and returns its standard output lines, or null when it failed or hung. */
    private static @Nullable List<String> probe(List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return p.getInputStream().readAllBytes();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    r -> PlatformThreads.start("exxec-probe-output", r)); // a pipe read
            if (!p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            if (p.exitValue() != 0) {
                return null;
            }
            return new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static volatile @Nullable Path javascriptDriver;

    /** The JavaScript driver file, written once per JVM. */
    public static Path javascriptDriver() {
        Path driver = javascriptDriver;
        if (driver == null) {
            synchronized (Interpreters.class) {
                driver = javascriptDriver;
                if (driver == null) {
                    try {
                        Path dir = Files.createTempDirectory(driverRoot(), "js-", READABLE);
                        driver = DriverProtocol.install(dir).resolve(DriverProtocol.JAVASCRIPT_DRIVER);
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not write the JavaScript driver", e);
                    }
                    javascriptDriver = driver;
                }
            }
        }
        return driver;
    }

    private static final java.util.Map<dev.exxec.spi.SyscallFilter, Path> FILTERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The compiled system call filter for this machine, written once per JVM into the driver
     * directory: a sandbox's host side opens it for bwrap, and the zygote's children (which see the
     * driver directory read-only) load the strict one themselves.
     *
     * @throws dev.exxec.ProviderUnavailableException on an architecture the filter does not know
     */
    public static Path filter(dev.exxec.spi.SyscallFilter filter) {
        return FILTERS.computeIfAbsent(filter, f -> {
            byte[] program = f.bpf();
            try {
                Path file = driverRoot().resolve("seccomp-" + f.name().toLowerCase(java.util.Locale.ROOT) + ".bpf");
                Path written =
                        Files.write(Files.createTempFile(driverRoot(), "seccomp-", ".tmp", READABLE_FILE), program);
                return Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the system call filter", e);
            }
        });
    }

    private static final java.nio.file.attribute.FileAttribute<?> READABLE_FILE =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    /**
     * Driver directories are readable by all: a sandbox may run as another user than this JVM's (see
     * {@link SandboxUser}). They hold exxec's own drivers, nothing secret; only this JVM's user writes.
     */
    private static final java.nio.file.attribute.FileAttribute<?> READABLE =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

    /**
     * This JVM's directory of driver files, removed when the JVM exits: {@code drivers} in a directory
     * of its own (whose owner file a sandbox, which sees the drivers, must not see).
     */
    public static Path driverRoot() throws IOException {
        Path root = driverRoot;
        if (root == null) {
            synchronized (Interpreters.class) {
                root = driverRoot;
                if (root == null) {
                    Path created = LeftoverSweep.create(READABLE);
                    Reaper.register(() -> deleteTree(created));
                    driverRoot = root = Files.createDirectory(created.resolve("drivers"), READABLE);
                }
            }
        }
        return root;
    }

    /**
     * Deletes a directory tree, best effort (used at shutdown and on close), through directory handles
     * that never follow a link: code that still runs cannot turn the deletion against host files (see
     * {@link TreeRemoval}). The parent of {@code root} must be a directory the code cannot change.
     */
    public static void deleteTree(Path root) {
        TreeRemoval.deleteTree(root);
    }
}
