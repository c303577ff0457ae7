package dev.exxec.local;

import dev.exxec.Exxec;
import java.util.Map;

/** A JVM that starts a sandboxed process and waits to be killed; see {@code SandboxEnvironmentTest}. */
public final class SandboxChild {
    private SandboxChild() {}

    public static void main(String[] args) throws Exception {
        var env = Exxec.environment("sandbox", Map.of());
        var process = env.processes().start("sleep 300");
        System.out.println(process.pid().orElseThrow());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
