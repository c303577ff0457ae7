package dev.exxec.bench;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.local.SandboxEnvironment;
import dev.exxec.local.SandboxPolicy;
import dev.exxec.local.internal.Cgroups;
import dev.exxec.local.internal.Interpreters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sandbox} one-shot {@code execute} of a trivial Python program against running the same
 * sandbox by hand: the same bubblewrap command line around {@code python3} on the same program, the
 * same per-call cgroups and rlimits set up the same way, from this JVM.
 *
 * <p>Also prints bare bubblewrap (the same flags, no cgroups, no rlimits) to show what the per-call
 * memory and process limits cost by themselves: on kernels where moving a process into a cgroup waits
 * for an RCU grace period (cgroup v1), that is several milliseconds, paid by both sides alike.
 */
final class SandboxExecuteBench implements Bench.Benchmark {

    @Override
    public String description() {
        return "sandbox execute of a trivial Python program vs. the same bwrap sandbox (and cgroups) run by hand";
    }

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        SandboxPolicy policy = SandboxPolicy.DEFAULTS;
        Cgroups cgroups = Cgroups.detect();
        Path dir = Files.createTempDirectory("exxec-bench-");
        RawSandbox sandbox = new RawSandbox(policy, dir, List.of(LocalExecuteBench.PYTHON, "/workspace/program.py"));
        Files.writeString(dir.resolve("workspace").resolve("program.py"), LocalExecuteBench.PROGRAM);
        try (ExecutionEnvironment env =
                SandboxEnvironment.builder().python(LocalExecuteBench.PYTHON).build()) {
            List<Measurement> m = Interleaved.run(
                    warmup,
                    rounds,
                    List.of("exxec sandbox execute", "by hand: bwrap + cgroups + rlimits", "by hand: bare bwrap"),
                    List.of(
                            () -> {
                                ExecutionResult r = env.execute(LocalExecuteBench.PROGRAM);
                                if (!r.success() || !Integer.valueOf(42).equals(r.result())) {
                                    throw new IllegalStateException("wrong result: " + r);
                                }
                            },
                            () -> byHand(policy, cgroups, sandbox),
                            () -> spawn(sandbox.bare())));
            m.forEach(x -> System.out.println(x.row()));
            double ratio = m.get(0).medianMs() / m.get(1).medianMs();
            System.out.printf(
                    "ratio (exxec / by hand with the same limits): %.3f; limits by themselves: %+.1f ms (%s)%n",
                    ratio, m.get(1).medianMs() - m.get(2).medianMs(), cgroups.description());
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "sandbox");
            figures.put("rounds", rounds);
            figures.put("exxecMedianMs", m.get(0).medianMs());
            figures.put("byHandMedianMs", m.get(1).medianMs());
            figures.put("bareBwrapMedianMs", m.get(2).medianMs());
            figures.put("cgroupLimits", cgroups.available());
            figures.put("ratio", ratio);
            return figures;
        } finally {
            Interpreters.deleteTree(dir);
        }
    }

    private static void byHand(SandboxPolicy policy, Cgroups cgroups, RawSandbox sandbox) throws Exception {
        Cgroups.Lease lease = cgroups.available()
                ? cgroups.create("bench-" + System.nanoTime(), policy.memoryBytes(), policy.processes())
                : null;
        try {
            spawn(sandbox.command(lease == null ? List.of() : lease.procsFiles()));
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
    }

    private static void spawn(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the sandbox failed: " + new String(err));
        }
    }
}
