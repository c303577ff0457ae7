package dev.exxec.ssh;

import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSize;
import dev.exxec.TerminalSpec;
import dev.exxec.Terminals;
import dev.exxec.internal.Ids;
import dev.exxec.spi.TerminalBuffer;
import dev.exxec.ssh.internal.Link;
import dev.exxec.ssh.internal.RemoteExec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** Terminals on the host: channels with a pseudo-terminal, resized by window-change requests. */
final class RemoteTerminals implements Terminals {
    private final RemoteEnvironment env;
    private final Map<String, RemoteTerminal> terminals = new ConcurrentHashMap<>();

    RemoteTerminals(RemoteEnvironment env) {
        this.env = env;
    }

    @Override
    public Terminal open(TerminalSpec spec) {
        env.ensureOpen();
        String id = Ids.next("term");
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("TERM", "xterm-256color");
        variables.putAll(spec.env());
        List<String> command =
                spec.command() != null ? List.of("/bin/sh", "-c", spec.command()) : List.of(env.loginShell(), "-l");
        RemoteExec exec;
        try {
            exec = env.start(
                    command,
                    env.environment(variables),
                    env.cwd(spec.cwd()),
                    null,
                    new Link.Pty(
                            variables.get("TERM"),
                            spec.size().columns(),
                            spec.size().rows()));
        } catch (IOException | RuntimeException e) {
            throw new ExxecException("could not open a terminal: " + e.getMessage(), e);
        }
        RemoteTerminal terminal = new RemoteTerminal(id, exec, spec.size(), terminals::remove);
        terminals.put(id, terminal);
        return terminal;
    }

    @Override
    public List<Terminal> list() {
        env.ensureOpen();
        return new ArrayList<>(terminals.values());
    }

    /** A pseudo-terminal exec. */
    private final class RemoteTerminal implements Terminal {
        private final String id;
        private final RemoteExec exec;
        private final TerminalBuffer buffer = new TerminalBuffer(4 << 20);
        private final java.util.function.Consumer<String> onKilled;
        private volatile TerminalSize size;

        RemoteTerminal(String id, RemoteExec exec, TerminalSize size, java.util.function.Consumer<String> onKilled) {
            this.id = id;
            this.exec = exec;
            this.size = size;
            this.onKilled = onKilled;
            Thread.ofVirtual().name(id + "-output").start(this::pump);
        }

        private void pump() {
            byte[] chunk = new byte[8192];
            try (InputStream in = exec.stdout()) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    buffer.append(chunk, 0, n);
                }
            } catch (IOException e) {
                // the terminal ended
            } finally {
                buffer.close();
            }
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public OptionalLong pid() {
            Long pid = exec.pid();
            return pid == null ? OptionalLong.empty() : OptionalLong.of(pid);
        }

        @Override
        public void write(byte[] input) {
            try {
                OutputStream in = exec.stdin();
                synchronized (in) {
                    in.write(input);
                    in.flush();
                }
            } catch (IOException e) {
                throw new ExxecException("cannot write to terminal " + id + ": " + e.getMessage(), e);
            }
        }

        @Override
        public InputStream output() {
            return buffer.stream();
        }

        @Override
        public String readUntil(String expected, Duration timeout) {
            return buffer.readUntil(id, expected, timeout);
        }

        @Override
        public void resize(TerminalSize size) {
            try {
                exec.resize(size.columns(), size.rows());
            } catch (IOException | RuntimeException e) {
                // a terminal that already ended has no size to change
            }
            this.size = size;
        }

        @Override
        public TerminalSize size() {
            return size;
        }

        @Override
        public boolean isAlive() {
            try {
                return !exec.waitFor(Duration.ofNanos(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        @Override
        public OptionalInt waitFor(Duration timeout) throws InterruptedException {
            return exec.waitFor(timeout) ? OptionalInt.of(exec.exitCode()) : OptionalInt.empty();
        }

        @Override
        public void kill() {
            exec.kill();
            onKilled.accept(id);
        }

        @Override
        public String toString() {
            return "Terminal[" + id + ", " + exec + "]";
        }
    }
}
