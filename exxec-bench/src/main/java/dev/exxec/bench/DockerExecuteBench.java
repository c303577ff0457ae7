package dev.exxec.bench;

import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.docker.DockerConfig;
import dev.exxec.docker.DockerEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docker}: a warm {@code execute} of a trivial Python program in the environment's running
 * container against {@code docker exec} of the command line running the same program in the same
 * container; then the cold start of an environment (container created, started, drivers installed,
 * image probed) against {@code docker run --rm} of the same program.
 */
final class DockerExecuteBench implements Bench.Benchmark {
    /** The same program for the command line, which prints its result. */
    private static final String BASELINE = LocalExecuteBench.PROGRAM + "print(main())\n";

    @Override
    public String description() {
        return "docker warm execute vs. the docker exec command line on the same container; cold start vs. docker run";
    }

    @Override
    public Map<String, Object> run(int warmup, int rounds) throws Exception {
        String docker = DockerCli.find();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("benchmark", "docker");
        figures.put("rounds", rounds);
        try (ExecutionEnvironment env = DockerEnvironment.create(Map.of())) {
            String container = "exxec-" + env.id();
            env.files().writeString("program.py", BASELINE);
            List<Measurement> warm = Interleaved.run(
                    warmup,
                    rounds,
                    List.of("exxec docker execute (warm)", "docker exec (command line)"),
                    List.of(
                            () -> {
                                ExecutionResult r = env.execute(LocalExecuteBench.PROGRAM);
                                if (!r.success() || !Integer.valueOf(42).equals(r.result())) {
                                    throw new IllegalStateException("wrong result: " + r);
                                }
                            },
                            () -> DockerCli.run(
                                    List.of(docker, "exec", "-i", container, "python3", "/workspace/program.py"),
                                    "42\n")));
            warm.forEach(x -> System.out.println(x.row()));
            double ratio = warm.get(0).medianMs() / warm.get(1).medianMs();
            System.out.printf("ratio (exxec execute / docker exec): %.3f%n", ratio);
            figures.put("warmExecuteMedianMs", warm.get(0).medianMs());
            figures.put("dockerExecMedianMs", warm.get(1).medianMs());
            figures.put("warmRatio", ratio);
        }

        // Cold starts take a second or so each: fewer of them.
        int starts = Math.max(3, Math.min(20, rounds / 10));
        List<Measurement> cold = Interleaved.run(
                1,
                starts,
                List.of("exxec environment start + execute", "docker run --rm (command line)"),
                List.of(
                        () -> {
                            try (ExecutionEnvironment env = DockerEnvironment.create(Map.of())) {
                                ExecutionResult r = env.execute(LocalExecuteBench.PROGRAM);
                                if (!r.success()) {
                                    throw new IllegalStateException("wrong result: " + r);
                                }
                            }
                        },
                        () -> DockerCli.run(
                                List.of(
                                        docker,
                                        "run",
                                        "--rm",
                                        "-i",
                                        "--network",
                                        "none",
                                        DockerConfig.DEFAULT_IMAGE,
                                        "python3",
                                        "-c",
                                        BASELINE),
                                "42\n")));
        cold.forEach(x -> System.out.println(x.row()));
        double coldRatio = cold.get(0).medianMs() / cold.get(1).medianMs();
        System.out.printf("ratio (exxec start + execute + close / docker run --rm): %.3f%n", coldRatio);
        figures.put("coldStartMedianMs", cold.get(0).medianMs());
        figures.put("dockerRunMedianMs", cold.get(1).medianMs());
        figures.put("coldRatio", coldRatio);
        return figures;
    }

    /** The {@code docker} command line, the baseline. */
    static final class DockerCli {
        private DockerCli() {}

        static String find() {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                java.nio.file.Path candidate = java.nio.file.Path.of(dir, "docker");
                if (java.nio.file.Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
            throw new IllegalStateException("the docker command line is not on PATH: it is the baseline");
        }

        static void run(List<String> command, String expected) throws Exception {
            Process p = new ProcessBuilder(new ArrayList<>(command)).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            byte[] err = p.getErrorStream().readAllBytes();
            if (p.waitFor() != 0 || !out.equals(expected)) {
                throw new IllegalStateException(command + " failed: " + out + new String(err));
            }
        }
    }
}
