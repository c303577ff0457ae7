package dev.exxec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.cli.Cli.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract where no code runs: help, usage errors, configuration errors, providers. */
class MainTest {

    @TempDir
    Path dir;

    /** An error of exxec's own is one line on stderr, nothing on stdout, and exit code 125. */
    private static void assertOneLineError(Outcome o, String... fragments) {
        assertOneLineError(ExitCodes.EXXEC_FAILED, o, fragments);
    }

    private static void assertOneLineError(int exitCode, Outcome o, String... fragments) {
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(exitCode);
        assertThat(o.out()).as(o.toString()).isEmpty();
        assertThat(o.err()).as(o.toString()).startsWith("exxec: ").endsWith("\n");
        assertThat(o.err().lines()).as(o.toString()).hasSize(1);
        assertThat(o.err()).contains(fragments);
    }

    @Test
    void versionAndHelpGoToStdout() {
        Outcome version = Cli.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("exxec ").contains("Java ");

        Outcome help = Cli.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("run", "exec", "providers");
        assertThat(help.err()).isEmpty();
    }

    @Test
    void runHelpDocumentsExitCodesAndStreamingJson() {
        Outcome help = Cli.run("run", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out())
                .contains("--stream", "--json", "--set", "--config", "--timeout", "--provider", "--language")
                .contains("{\"event\":\"output\"", "Exit codes:", "infrastructure")
                .containsPattern("(?m)^\\s+125\\s+exxec itself failed");
    }

    @Test
    void noCommandIsAUsageErrorNamingEveryCommand() {
        Outcome o = Cli.run();

        assertThat(o.exitCode()).isEqualTo(125);
        assertThat(o.out()).isEmpty();
        assertThat(o.err().lines().findFirst().orElseThrow())
                .isEqualTo("exxec: missing command: one of run, exec, repl, providers, serve");
        assertThat(o.err()).contains("Commands:").contains("  repl ").contains("  serve ");
    }

    @Test
    void anUnknownCommandListsTheCommandsAndSuggestsTheClosest() {
        assertOneLineError(
                Cli.run("foo"),
                "unknown command 'foo'",
                "the commands are run, exec, repl, providers, serve",
                "see 'exxec --help'");
        assertThat(Cli.run("foo").err()).doesNotContain("Unmatched argument", "did you mean");
        assertOneLineError(Cli.run("rnu", "x.py"), "unknown command 'rnu' (did you mean run?)");
        assertOneLineError(Cli.run("exce", "ls"), "unknown command 'exce' (did you mean exec?)");
        assertOneLineError(Cli.run("--jsn"), "Unknown option: '--jsn'");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        assertThat(Cli.run("--help").out()).contains("124", "125", "126", "127");
        for (String code : List.of("0", "124", "125", "126")) {
            assertThat(Cli.run("exec", "--help").out()).containsPattern("(?m)^\\s+" + code + "\\s+\\w");
        }
        for (String code : List.of("0", "1", "124", "125", "126", "127")) {
            assertThat(Cli.run("run", "--help").out()).containsPattern("(?m)^\\s+" + code + "\\s+\\w");
        }
        assertThat(Cli.run("serve", "--help").out()).containsPattern("(?m)^\\s+125\\s+the server did not start");
    }

    @Test
    void unknownOptionSuggestsTheClosest() {
        assertOneLineError(Cli.run("run", "--jsn", "x.py"), "Unknown option: '--jsn'", "--json", "exxec run --help");
    }

    @Test
    void missingFileArgument() {
        assertOneLineError(Cli.run("run"), "Missing required parameter", "FILE");
    }

    @Test
    void unknownProviderListsTheKnownOnes() throws IOException {
        Path code = Files.writeString(dir.resolve("a.py"), "_result = 1\n");

        assertOneLineError(
                Cli.run("run", "--provider", "nope", code.toString()),
                "unknown provider 'nope'",
                "local",
                UnavailableTestProvider.ID);
    }

    @Test
    void unknownConfigKeyIsNamed() throws IOException {
        Path code = Files.writeString(dir.resolve("a.py"), "_result = 1\n");

        assertOneLineError(
                Cli.run("run", "--set", "timeoutt=3", code.toString()), "unknown config key 'timeoutt'", "timeout");
        assertOneLineError(Cli.run("exec", "--set", "colour=red", "--", "true"), "'colour'");
    }

    @Test
    void badValueIsNamed() throws IOException {
        Path code = Files.writeString(dir.resolve("a.py"), "_result = 1\n");

        assertOneLineError(Cli.run("run", "--timeout", "soon", code.toString()), "'timeout'", "soon");
    }

    @Test
    void badSetIsAUsageError() {
        assertOneLineError(Cli.run("exec", "--set", "oops", "true"), "--set expects KEY=VALUE");
    }

    @Test
    void missingEmptyAndDirectoryFiles() throws IOException {
        assertOneLineError(
                ExitCodes.NOT_FOUND,
                Cli.run("run", dir.resolve("missing.py").toString()),
                "file not found",
                "missing.py");

        Path empty = Files.writeString(dir.resolve("empty.py"), " \n\n");
        assertOneLineError(Cli.run("run", empty.toString()), "is empty");

        assertOneLineError(Cli.runWithInput("", "run", "-"), "standard input is empty");

        assertOneLineError(ExitCodes.CANNOT_RUN, Cli.run("run", dir.toString()), "is a directory");
    }

    @Test
    void unknownLanguage() {
        assertOneLineError(Cli.run("run", "--language", "cobol", "-"), "unknown language 'cobol'", "python");
    }

    @Test
    void badConfigFile() throws IOException {
        assertOneLineError(
                Cli.run("run", "--config", dir.resolve("none.yaml").toString(), "-"), "config file not found");

        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"provider\": ");
        assertOneLineError(Cli.run("exec", "--config", bad.toString(), "true"), "is not valid JSON");
    }

    /**
     * A config file's variable that is not text is refused naming it, before anything runs: a YAML
     * {@code !!binary} value reached the code as {@code [B@76f2b07d}, a list as {@code [1, 2]}.
     */
    @Test
    void aConfigVariableThatIsNotTextIsNamed() throws IOException {
        Path binary = Files.writeString(dir.resolve("binary.yaml"), "provider: local\nenv:\n  A: !!binary AQID\n");
        assertOneLineError(
                Cli.run("exec", "--config", binary.toString(), "true"),
                "env.A: must be a string or a number, got binary data");

        Path list = Files.writeString(dir.resolve("list.json"), "{\"env\": {\"PORT\": 8080, \"B\": [1, 2]}}");
        assertOneLineError(
                Cli.run("exec", "--config", list.toString(), "true"),
                "env.B: must be a string or a number, got a list");
    }

    @Test
    void configFileSelectsTheProvider() throws IOException {
        Path config = Files.writeString(dir.resolve("c.yaml"), "type: never\n");

        assertOneLineError(Cli.run("exec", "-c", config.toString(), "true"), UnavailableTestProvider.WHY);
    }

    @Test
    void unavailableProviderIsExitCode125WithTheReason() {
        assertOneLineError(
                Cli.run("exec", "--provider", UnavailableTestProvider.ID, "--", "true"),
                UnavailableTestProvider.WHY,
                UnavailableTestProvider.FIX);
    }

    @Test
    void verbosePrintsTheStackTrace() {
        Outcome o = Cli.run("exec", "--verbose", "--provider", UnavailableTestProvider.ID, "true");

        assertThat(o.exitCode()).isEqualTo(125);
        assertThat(o.err()).startsWith("exxec: ").contains("ProviderUnavailableException", "\tat ");
    }

    @Test
    void providersListsEveryProviderWithAvailability() {
        Outcome o = Cli.run("providers");

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out())
                .contains("local (alias subprocess): ")
                .contains(UnavailableTestProvider.ID + " (alias never): NOT AVAILABLE")
                .contains("why: " + UnavailableTestProvider.WHY)
                .contains("fix: " + UnavailableTestProvider.FIX);
    }

    @Test
    void providerByIdOrAliasShowsItsConfigKeys() {
        Outcome o = Cli.run("providers", "subprocess");

        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertThat(o.out()).startsWith("local").contains("config keys", "timeout", "env.NAME", "python", "inheritEnv");
    }

    @Test
    void providerOfAConfigFile() throws IOException {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"provider\": \"never\"}");

        Outcome o = Cli.run("providers", "--config", config.toString());

        assertThat(o.out()).startsWith(UnavailableTestProvider.ID).contains("flavour");
    }

    @Test
    void unknownProviderInProviders() {
        assertOneLineError(Cli.run("providers", "nope"), "unknown provider 'nope'");
    }

    @Test
    void providersAsJson() {
        Outcome o = Cli.run("providers", "--json");

        assertThat(o.exitCode()).isZero();
        List<Object> list = Cli.array(o.out());
        assertThat(list).hasSizeGreaterThanOrEqualTo(2);
        Object never = list.stream()
                .filter(m -> m instanceof Map<?, ?> p && UnavailableTestProvider.ID.equals(p.get("id")))
                .findFirst()
                .orElseThrow();
        assertThat(never)
                .asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("available", false)
                .containsEntry("aliases", List.of("never"))
                .containsEntry("summary", UnavailableTestProvider.WHY)
                .containsEntry("fix", UnavailableTestProvider.FIX)
                .containsKeys("description", "details", "configKeys");

        Map<String, Object> one =
                Cli.object(Cli.run("providers", "--json", "local").out());
        assertThat(one).containsEntry("id", "local").containsKey("configKeys");
    }
}
