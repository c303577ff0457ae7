package dev.exxec.cli;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.spi.ExecutionProvider;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where to run: a provider id and its settings, merged from a config file, {@code --set} and the
 * dedicated options.
 *
 * @param provider a provider id or alias
 * @param config its settings by key, as {@link Exxec#environment(String, Map)} takes them
 */
record Target(String provider, Map<String, @Nullable Object> config) {

    /** The provider when neither an option nor a config file names one. */
    static final String DEFAULT_PROVIDER = "local";

    Target {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    /**
     * The provider; cheap, so commands check it before they read their input.
     *
     * @throws dev.exxec.ProviderNotFoundException listing the known ids
     */
    ExecutionProvider resolve() {
        return Exxec.provider(provider);
    }

    /**
     * Creates and starts the environment; the caller closes it.
     *
     * @throws dev.exxec.ExxecException when the provider is unknown, a setting wrong, or the
     *     environment cannot start
     */
    ExecutionEnvironment open() {
        return resolve().create(config);
    }

    /**
     * Creates and starts the environment as {@link #open()} does, with a progress note on a terminal's
     * stderr while that takes more than a second.
     */
    ExecutionEnvironment open(StdIo io) {
        try (Progress p = Progress.start(io, startingMessage())) {
            return open();
        }
    }

    /** What the progress note says while the environment starts. */
    String startingMessage() {
        String id = resolve().id();
        return switch (id) {
            case "graalvm" -> "starting the GraalVM engine";
            case "docker" -> "starting the docker container (the first start builds its image)";
            case "ssh" -> "connecting over ssh" + (config.get("host") instanceof String h ? " to " + h : "");
            case "sandbox" -> "starting the sandbox";
            default -> "starting the " + id + " environment";
        };
    }

    /**
     * This target as the command line runs it by default, in the user's current directory: {@code
     * local} gets {@code cwd} = that directory; {@code sandbox} binds it read-only (writable with
     * {@code writable}) at the same path and runs there; the other providers keep their own workspace,
     * as does any target whose {@code cwd} the user set.
     *
     * <p>The sandbox never gets {@code /}, the home directory or a directory that holds it this way:
     * read-only it then runs in its fresh workspace and says so on {@code notes}; writable is refused.
     *
     * @throws UsageException when {@code writable} cannot be honoured
     */
    Target inWorkingDirectory(Path dir, boolean writable, PrintStream notes) {
        Path here = dir.toAbsolutePath().normalize();
        String id = resolve().id();
        boolean userCwd = config.get("cwd") != null;
        if (!id.equals("sandbox")) {
            if (writable && !id.equals("local")) {
                throw new UsageException("--rw-cwd applies to the sandbox provider: " + id
                        + " runs in its own workspace and does not see the current directory");
            }
            if (!id.equals("local") || userCwd) {
                return this;
            }
            Map<String, @Nullable Object> c = new LinkedHashMap<>(config);
            c.put("cwd", here.toString());
            return new Target(provider, c);
        }
        if (userCwd) {
            if (writable) {
                throw new UsageException("--rw-cwd shares the current directory, but cwd is set to " + config.get("cwd")
                        + "; bind what the code may write with --set bindRw=PATH");
            }
            return this;
        }
        String refusal = unsharable(here);
        if (refusal != null) {
            if (writable) {
                throw new UsageException("--rw-cwd: " + refusal + "; cd to a project directory, or bind what"
                        + " the code may write with --set bindRw=PATH");
            }
            // (the directory's name is shown escaped: it may hold a terminal's control sequences)
            notes.println("exxec: " + TerminalText.escapeAll(refusal) + ", so the sandbox runs in a fresh workspace"
                    + " (cd to a project directory to share it, --fresh to say so and silence this)");
            return this;
        }
        Map<String, @Nullable Object> c = new LinkedHashMap<>(config);
        String key = writable ? "bindRw" : "bind";
        List<String> binds = paths(config.get(key));
        if (!covered(here, binds)) {
            binds.add(here.toString());
        }
        c.put(key, binds);
        c.put("cwd", here.toString());
        return new Target(provider, c);
    }

    /** Why a directory is not shared with a sandbox by default, or null when it may be. */
    static @Nullable String unsharable(Path dir) {
        List<Path> homes = new ArrayList<>();
        for (String home : new String[] {System.getProperty("user.home"), System.getenv("HOME")}) {
            if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
                homes.add(Path.of(home));
            }
        }
        return unsharable(dir, homes, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Why a directory is not shared with a sandbox by default, or null when it may be.
     *
     * @param homes the user's home directories (the JVM's {@code user.home}, {@code $HOME})
     * @param tmp where environments make their workspaces
     */
    static @Nullable String unsharable(Path dir, List<Path> homes, Path tmp) {
        if (dir.getParent() == null) {
            return "the current directory is " + dir + ", the whole file system, which is not shared with the"
                    + " sandbox";
        }
        // Compared as the kernel resolves them (bwrap follows links too): a home, a workspace or /proc
        // reached through a symbolic link is still that.
        Path real = real(dir);
        for (String kernel : KERNEL_DIRECTORIES) {
            Path k = Path.of(kernel);
            if (dir.startsWith(k) || real.startsWith(k)) {
                return "the current directory " + dir + " is in the host's " + kernel + ", which is not shared with"
                        + " the sandbox (it would cover the sandbox's own " + kernel + ")";
            }
        }
        for (Path userHome : homes) {
            Path home = userHome.toAbsolutePath().normalize();
            Path realHome = real(home);
            if (home.equals(dir) || realHome.equals(real)) {
                return "the current directory is your home directory " + dir + ", which is not shared with the"
                        + " sandbox (it holds your keys and credentials)";
            }
            if (home.startsWith(dir) || realHome.startsWith(real)) {
                return "the current directory " + dir + " holds your home directory, which is not shared with"
                        + " the sandbox";
            }
        }
        Path workspaces = real(tmp.toAbsolutePath().normalize());
        if (workspaces.startsWith(real)) {
            return "the current directory " + dir + " holds the workspaces of every environment on this machine ("
                    + workspaces + "), which are not shared with the sandbox";
        }
        if (real.startsWith(workspaces) && real.getNameCount() > workspaces.getNameCount()) {
            String first = real.getName(workspaces.getNameCount()).toString();
            if (first.startsWith("exxec-") || first.startsWith(".exxec-")) {
                return "the current directory " + dir + " is another environment's workspace, which is not shared"
                        + " with the sandbox";
            }
        }
        return null;
    }

    /**
     * The host's directories that the sandbox has its own of, or a chosen part of: shared at their own
     * path, the host's would cover the sandbox's (its /proc with its masks, its /dev, the few files of
     * /etc it shows, never shadow, sudoers or ssh keys) or reach past its namespaces (the sockets in
     * /run).
     */
    private static final List<String> KERNEL_DIRECTORIES = List.of("/proc", "/sys", "/dev", "/run", "/etc");

    /** The path with its symbolic links resolved, or as it is when it cannot be (it does not exist). */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (java.io.IOException | SecurityException e) {
            return p;
        }
    }

    /** A bind list as the sandbox reads it: a list, or a comma-separated string. */
    private static List<String> paths(@Nullable Object value) {
        List<String> paths = new ArrayList<>();
        if (value instanceof Collection<?> c) {
            c.forEach(v -> paths.add(String.valueOf(v)));
        } else if (value != null) {
            for (String s : value.toString().split(",")) {
                if (!s.isBlank()) {
                    paths.add(s.trim());
                }
            }
        }
        return paths;
    }

    private static boolean covered(Path dir, List<String> binds) {
        for (String b : binds) {
            Path p = Path.of(b);
            if (p.isAbsolute() && dir.startsWith(p.normalize())) {
                return true;
            }
        }
        return false;
    }

    /** The setting of providers that can fork calls from a zygote ({@code local}, {@code sandbox}). */
    static final String ZYGOTE = "zygote";

    /**
     * Like {@link #open()}, for an environment that runs a single call ({@code run}): a provider that
     * would start a zygote for later calls is told not to, unless the settings name {@code zygote}
     * themselves. The zygote only pays off from the second call; for one it is an extra interpreter
     * start that competes with the call for the CPU.
     */
    ExecutionEnvironment openForOneCall(StdIo io) {
        ExecutionProvider chosen = resolve();
        if (config.containsKey(ZYGOTE)
                || chosen.configKeys().stream().noneMatch(k -> k.name().equals(ZYGOTE))) {
            return open(io);
        }
        Map<String, @Nullable Object> once = new LinkedHashMap<>(config);
        once.put(ZYGOTE, false);
        return new Target(provider, once).open(io);
    }
}
