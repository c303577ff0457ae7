package dev.exxec.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** {@link HostProbe#localHost()}. */
final class LocalHostProbe implements HostProbe {
    static final LocalHostProbe INSTANCE = new LocalHostProbe();

    private static final Path PROC = Path.of("/proc");

    private LocalHostProbe() {}

    @Override
    public boolean isAlive(long pid) {
        if (!Files.isDirectory(PROC.resolve("self"))) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        // ProcessHandle counts zombies as alive, and where PID 1 does not reap orphans (some
        // containers) a killed grandchild stays a zombie forever: read the state instead.
        String stat;
        try {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return false;
        }
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return false;
        }
        char state = stat.charAt(close + 2);
        return state != 'Z' && state != 'X';
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public String toString() {
        return "HostProbe.localHost()";
    }
}
