package dev.exxec.local;

import dev.exxec.Capabilities;
import dev.exxec.Language;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.spi.HostProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How the processes of a {@link HostEnvironment} are confined: not at all ({@code local}), or each
 * in a bubblewrap sandbox ({@code sandbox}). Everything else, how processes run, are watched,
 * killed, and how their output and results are read, is the same code for both.
 */
sealed interface Confinement permits Unconfined, Sandboxed {

    /** What a process is for. */
    enum Use {
        CODE,
        COMMAND,
        PROCESS,
        TERMINAL
    }

    /** The provider id. */
    String providerId();

    /** Prepares the environment's own files (in {@code root}, outside the workspace); called once. */
    void start(Path root, Path workspace) throws IOException;

    /** The capabilities, given the languages whose interpreters were found. */
    Capabilities capabilities(Set<Language> languages);

    /** The workspace's path as the code sees it. */
    String visibleWorkspace();

    /** Whether files outside the workspace are out of reach (then {@code files()} is confined too). */
    boolean confined();

    /**
     * Host directories a confined process also sees, each at its own path (a sandbox's binds): a
     * working directory may lie in one of them, outside the workspace.
     */
    default List<Path> sharedDirectories() {
        return List.of();
    }

    /** Where a host file of exxec's own (a driver) appears to the code. */
    String visible(Path hostFile);

    /** Whether drivers report through a result file (else through a marker line on stdout). */
    boolean resultFile();

    /** The session a process of this use leads, seen from the host. */
    HostProcess.SessionMode session(Use use, boolean pythonDriver);

    /**
     * How to start one process.
     *
     * @param command what to run, with paths as the code sees them
     * @param env exactly the variables the process gets
     * @param hostCwd the working directory on the host
     * @param visibleCwd the working directory as the code sees it
     * @param installations the interpreters' installation directories (for a sandbox to show them)
     */
    Launch prepare(
            List<String> command,
            Map<String, String> env,
            Path hostCwd,
            String visibleCwd,
            Use use,
            Collection<Path> installations)
            throws IOException;

    /** Releases what {@link #start} made. */
    void close();

    /**
     * A prepared process start. The host process runs {@code command} in {@code hostCwd} with exactly
     * {@code environment}: for a sandbox, the host side's own, never the call's (those travel in the
     * arguments file, applied inside).
     *
     * @param command the host command line
     * @param hostCwd its working directory
     * @param environment the host process's variables
     * @param lease the call's cgroups, to close when it ended, or null
     * @param arguments a file the process reads at its start (bubblewrap's arguments), removed when the
     *     process has ended, or null
     */
    record Launch(
            List<String> command,
            Path hostCwd,
            Map<String, String> environment,
            Cgroups.@Nullable Lease lease,
            @Nullable Path arguments) {

        /** The process {@code pid} started: its arguments file goes when it ends. */
        void started(long pid) {
            if (arguments != null) {
                ProcessHandle.of(pid).ifPresentOrElse(h -> h.onExit().whenComplete((p, e) -> forget()), this::forget);
            }
        }

        /** The process did not start: nothing of the launch stays. */
        void abandon() {
            forget();
            if (lease != null) {
                lease.close();
            }
        }

        private void forget() {
            if (arguments != null) {
                try {
                    java.nio.file.Files.deleteIfExists(arguments);
                } catch (IOException e) {
                    // the environment's close removes its run directory, and this file with it
                }
            }
        }
    }

    /** What every host environment can do, whatever its confinement; sessions in Python and JavaScript. */
    static Capabilities.Builder hostCapabilities(Set<Language> languages) {
        return Capabilities.builder()
                .languages(languages)
                .commands(true)
                .streaming(true)
                .files(true)
                .processes(true)
                .terminals(true)
                .sessions(languages.contains(Language.PYTHON) || languages.contains(Language.JAVASCRIPT))
                .location(dev.exxec.Location.LOCAL);
    }

    /** The variables PATH, HOME and LANG as the code sees them. */
    default Map<String, String> baseVariables(String path) {
        return Map.of("PATH", path, "HOME", visibleWorkspace(), "LANG", "C.UTF-8");
    }
}
