package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code run}'s options become a provider and its settings; parsed by picocli, nothing runs. */
class ConfigOptionsTest {

    @TempDir
    Path dir;

    private static RunCommand parse(String... args) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        CommandLine cl = Main.commandLine(new StdIo(new ByteArrayInputStream(new byte[0]), sink, sink));
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        return (RunCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void defaultsToLocalWithNoSettings() {
        Target t = parse("run", "x.py").config.target();

        assertThat(t.provider()).isEqualTo("local");
        assertThat(t.config()).isEmpty();
    }

    @Test
    void setOverridesTheFileAndDedicatedOptionsOverrideBoth() throws IOException {
        Path file = Files.writeString(dir.resolve("c.yaml"), """
                provider: subprocess
                timeout: 10
                python: /usr/bin/python3
                env:
                  A: from-file
                """);

        Target t = parse(
                        "run",
                        "--config",
                        file.toString(),
                        "--set",
                        "python=/opt/python3",
                        "--set",
                        "env.A=from-set",
                        "--set",
                        "timeout=20",
                        "--timeout",
                        "5",
                        "x.py")
                .config
                .target();

        assertThat(t.provider()).isEqualTo("subprocess");
        assertThat(t.config())
                .containsEntry("timeout", "5")
                .containsEntry("python", "/opt/python3")
                .containsEntry("env", Map.of("A", "from-file"))
                // the provider's ConfigReader lets env.A win over the env map
                .containsEntry("env.A", "from-set");
    }

    @Test
    void providerOptionBeatsSetAndFile() throws IOException {
        Path file = Files.writeString(dir.resolve("c.json"), "{\"type\": \"docker\"}");

        assertThat(parse("run", "-c", file.toString(), "x.py").config.target().provider())
                .isEqualTo("docker");
        assertThat(parse("run", "-c", file.toString(), "-s", "provider=ssh", "x.py")
                        .config
                        .target()
                        .provider())
                .isEqualTo("ssh");
        assertThat(parse("run", "-c", file.toString(), "-s", "type=ssh", "--provider", "local", "x.py")
                        .config
                        .target()
                        .provider())
                .isEqualTo("local");
    }

    @Test
    void setSplitsAtTheFirstEqualsSignAndAllowsEmptyValues() {
        Target t = parse("run", "--set", "env.EQ=a=b", "--set", "env.EMPTY=", "x.py")
                .config
                .target();

        assertThat(t.config()).containsEntry("env.EQ", "a=b").containsEntry("env.EMPTY", "");
    }

    @Test
    void setWithoutKeyOrEqualsSignIsAUsageError() {
        assertThatThrownBy(() -> parse("run", "--set", "timeout", "x.py").config.target())
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--set expects KEY=VALUE")
                .hasMessageContaining("'timeout'");
        assertThatThrownBy(() -> parse("run", "--set", "=3", "x.py").config.target())
                .isInstanceOf(UsageException.class);
    }

    @Test
    void languageAcceptsAliases() {
        assertThat(parse("run", "--language", "js", "-").language).hasToString("javascript");
        assertThat(parse("run", "-l", "PY", "-").language).hasToString("python");
    }

    @Test
    void execTakesEverythingFromTheFirstWordOn() {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        CommandLine cl = Main.commandLine(new StdIo(new ByteArrayInputStream(new byte[0]), sink, sink));
        ExecCommand exec = (ExecCommand) cl.parseArgs("exec", "--timeout", "3", "ls", "-la", "--json")
                .subcommand()
                .commandSpec()
                .userObject();

        assertThat(exec.words).containsExactly("ls", "-la", "--json");
        assertThat(exec.output.json).isFalse();
        assertThat(exec.config.timeout).isEqualTo("3");
    }
}
