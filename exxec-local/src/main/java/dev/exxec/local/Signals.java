package dev.exxec.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Sends an interrupt to a session's interpreter, wherever its launcher put it. */
final class Signals {
    private Signals() {}

    /**
     * Sends SIGINT to the interpreter: the process {@code pid} or, when that is a launcher (the
     * sandbox's bwrap), its descendants running {@code executable}. Nothing else is signalled: an
     * interrupt would end a launcher.
     */
    static void interrupt(long pid, Path executable) throws IOException {
        Path real = real(executable);
        List<String> targets = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(root -> {
            java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants())
                    .filter(p -> real.equals(real(Path.of("/proc", Long.toString(p.pid()), "exe"))))
                    .forEach(p -> targets.add(Long.toString(p.pid())));
        });
        if (targets.isEmpty()) {
            return; // it ended meanwhile
        }
        List<String> command = new ArrayList<>(List.of("kill", "-INT"));
        command.addAll(targets);
        // Its output is discarded rather than read: a read would block the caller (a virtual thread,
        // maybe) for as long as the pipe stays open, and the wait below would bound nothing.
        Process kill = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }
}
