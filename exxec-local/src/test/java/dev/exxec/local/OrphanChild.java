package dev.exxec.local;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.Exxec;
import dev.exxec.TerminalSize;
import dev.exxec.TerminalSpec;
import java.util.Map;

/**
 * A JVM that runs one call on {@code local} which starts {@code sleep 4242.TOKEN} in its session and
 * a daemon {@code sleep 4243.TOKEN} that left it ({@code setsid sh -c 'sleep ... &'}), touches READY
 * and waits to be killed; see {@code OrphansTest}. Args: MODE TOKEN READY.
 */
public final class OrphanChild {
    private OrphanChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String token = args[1];
        String ready = args[2];
        ExecutionEnvironment env = Exxec.environment("local", Map.of("timeout", "600"));
        String shell = "sleep 4242." + token + " & setsid sh -c 'sleep 4243." + token + " &'; touch '" + ready
                + "'; sleep 600";
        String python = "import subprocess, time\n"
                + "subprocess.Popen(['sleep', '4242." + token + "'])\n"
                + "subprocess.Popen(['setsid', 'sh', '-c', 'sleep 4243." + token + " &']).wait()\n"
                + "open('" + ready + "', 'w').close()\n"
                + "time.sleep(600)\n";
        switch (mode) {
            case "python" -> env.execute(Code.python(python));
            case "zygote" -> {
                // -Dexxec.zygote=wait: once the zygote is up, the call runs in one of its children
                env.execute(Code.python("1"));
                env.execute(Code.python(python));
            }
            case "javascript" ->
                env.execute(Code.javascript("const cp = require('child_process');\n"
                        + "cp.spawn('sleep', ['4242." + token + "'], {stdio: 'ignore'});\n"
                        + "cp.spawnSync('setsid', ['sh', '-c', 'sleep 4243." + token + " &'], {stdio: 'ignore'});\n"
                        + "require('fs').writeFileSync('" + ready + "', '');\n"
                        + "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600000);\n"));
            case "command" -> env.executeCommand(Command.of(shell));
            case "process" -> {
                env.processes().start(shell);
                Thread.sleep(Long.MAX_VALUE);
            }
            case "terminal" -> {
                // Ignoring SIGHUP (as nohup does), which the terminal's hangup at the JVM's end sends.
                env.terminals().open(TerminalSpec.of(new TerminalSize(80, 24)).withCommand("trap '' HUP; " + shell));
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException("mode " + mode);
        }
    }
}
