package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Language;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exxec run} runs one call: it starts nothing that only later calls would use (on {@code local},
 * the zygote that forks later Python calls), unless the settings ask for it.
 */
class OneShotRunTest {
    /** Sleeps long enough for any zygote the environment starts to be seen while the call runs. */
    private static final String PROGRAM = "import time\ntime.sleep(1.5)\n_result = 'done'\n";

    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs the CLI while watching this JVM's descendants; returns the zygotes seen. */
    private static Set<String> zygotesDuring(Path program, String... settings) throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        String[] args = new String[settings.length + 2];
        args[0] = "run";
        System.arraycopy(settings, 0, args, 1, settings.length);
        args[args.length - 1] = program.toString();
        CompletableFuture<Cli.Outcome> run = CompletableFuture.supplyAsync(() -> Cli.run(args));
        while (!run.isDone()) {
            ProcessHandle.current()
                    .descendants()
                    .map(OneShotRunTest::commandLine)
                    .filter(c -> c.contains("python_zygote"))
                    .forEach(seen::add);
            Thread.sleep(20);
        }
        Cli.Outcome outcome = run.join();
        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        assertThat(outcome.out()).as(outcome.toString()).contains("done");
        return seen;
    }

    @Test
    void aRunStartsNoZygote(@TempDir Path dir) throws Exception {
        Machine.requireLanguage(Language.PYTHON);
        Path program = Files.writeString(dir.resolve("sleep.py"), PROGRAM);
        assertThat(zygotesDuring(program))
                .as("zygotes started by a one-shot run")
                .isEmpty();
    }

    @Test
    void zygoteTrueInTheSettingsStillStartsOne(@TempDir Path dir) throws Exception {
        Machine.requireLanguage(Language.PYTHON);
        Path program = Files.writeString(dir.resolve("sleep.py"), PROGRAM);
        assertThat(zygotesDuring(program, "--set", "zygote=true"))
                .as("the user's own setting wins")
                .isNotEmpty();
    }
}
