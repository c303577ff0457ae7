package dev.exxec.ssh;

import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSpec;
import dev.exxec.Terminals;
import dev.exxec.internal.Ids;
import dev.exxec.spi.ExecTerminal;
import dev.exxec.ssh.internal.Link;
import dev.exxec.ssh.internal.RemoteExec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Terminals on the host: channels with a pseudo-terminal, resized by window-change requests. */
final class RemoteTerminals implements Terminals {
    private final RemoteEnvironment env;
    private final Map<String, ExecTerminal> terminals = new ConcurrentHashMap<>();

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
        ExecTerminal terminal = new ExecTerminal(
                id, exec, spec.size(), size -> exec.resize(size.columns(), size.rows()), terminals::remove);
        terminals.put(id, terminal);
        return terminal;
    }

    @Override
    public List<Terminal> list() {
        env.ensureOpen();
        return new ArrayList<>(terminals.values());
    }
}
