package dev.exxec.docker;

import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSpec;
import dev.exxec.Terminals;
import dev.exxec.docker.internal.ContainerExec;
import dev.exxec.internal.Ids;
import dev.exxec.spi.ExecTerminal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Terminals of a container: execs with a pseudo-terminal, resized through the API. */
final class ContainerTerminals implements Terminals {
    private final ContainerEnvironment env;
    private final Map<String, ExecTerminal> terminals = new ConcurrentHashMap<>();

    ContainerTerminals(ContainerEnvironment env) {
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
        ContainerExec exec;
        try {
            exec = env.start(command, env.environment(variables), env.cwd(spec.cwd()), true);
        } catch (RuntimeException e) {
            throw new ExxecException("could not open a terminal: " + e.getMessage(), e);
        }
        ExecTerminal terminal = new ExecTerminal(
                id,
                exec,
                spec.size(),
                size -> env.client()
                        .resizeExecCmd(exec.execId())
                        .withSize(size.rows(), size.columns())
                        .exec(),
                terminals::remove);
        terminals.put(id, terminal);
        terminal.resize(spec.size());
        return terminal;
    }

    @Override
    public List<Terminal> list() {
        env.ensureOpen();
        return new ArrayList<>(terminals.values());
    }
}
