package dev.exxec.local;

import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSpec;
import dev.exxec.Terminals;
import dev.exxec.internal.Ids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Terminals of a host environment: real pseudo-terminals (pty4j), each in its own session. */
final class LocalTerminals implements Terminals {
    private final HostEnvironment env;
    private final Map<String, LocalTerminal> terminals = new ConcurrentHashMap<>();

    LocalTerminals(HostEnvironment env) {
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
                spec.command() != null ? List.of("/bin/sh", "-c", spec.command()) : List.of(loginShell(), "-l");
        LocalTerminal terminal;
        try {
            Confinement.Launch launch = env.prepareTerminal(command, env.environment(variables), env.cwd(spec.cwd()));
            terminal = LocalTerminal.open(id, launch, spec.size(), terminals::remove);
        } catch (java.io.IOException | RuntimeException | LinkageError e) {
            throw new ExxecException("could not open a terminal: " + e.getMessage(), e);
        }
        terminals.put(id, terminal);
        if (env.isClosed()) {
            terminal.kill();
        }
        return terminal;
    }

    private static String loginShell() {
        return Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";
    }

    @Override
    public List<Terminal> list() {
        env.ensureOpen();
        return new ArrayList<>(terminals.values());
    }

    void killAll() {
        for (LocalTerminal t : List.copyOf(terminals.values())) {
            t.kill();
        }
    }
}
