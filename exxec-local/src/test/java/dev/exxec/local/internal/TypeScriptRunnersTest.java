package dev.exxec.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Exxec;
import dev.exxec.Language;
import dev.exxec.local.LocalConfig;
import dev.exxec.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TypeScript through each runner exxec knows, and the order in which they are chosen. */
class TypeScriptRunnersTest {

    /** A tool on this machine's PATH; CI installs them all, so there a missing one fails. */
    private static Path runner(String name) {
        Optional<Path> found = Interpreters.which(name, System.getenv("PATH"));
        Requirements.require(found.isPresent(), name + " is not on PATH (npm install -g " + name + ")");
        return found.orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tsx", "ts-node", "deno"})
    void eachRunnerRunsTypeScriptWithTheResultProtocol(String name) {
        Path runner = runner(name);
        try (ExecutionEnvironment env = Exxec.environment("local", Map.of("typescript", runner.toString()))) {
            ExecutionResult ok = env.execute(
                    Code.typescript(
                            "interface Answer { value: number }\nconst a: Answer = { value: 21 };\nlet _result: number = a.value * 2;\n"));
            assertThat(ok.success()).as(ok.toString()).isTrue();
            assertThat(ok.result()).isEqualTo(42);

            ExecutionResult async = env.execute(
                    Code.typescript(
                            "export async function main(): Promise<string> {\n  return 'async ' + (await Promise.resolve(1));\n}\n"));
            assertThat(async.result()).as(async.toString()).isEqualTo("async 1");

            ExecutionResult failed = env.execute(Code.typescript(
                    "type T = number;\n\nfunction main(): T {\n  throw new RangeError('too far');\n}\n"));
            assertThat(failed.success()).isFalse();
            assertThat(failed.errorType()).isEqualTo("RangeError");
            assertThat(failed.error()).isEqualTo("too far");
            assertThat(failed.traceback())
                    .as("line numbers of the TypeScript source")
                    .contains("<code>:4");

            ExecutionResult syntax = env.execute(Code.typescript("let x: number = ;\n"));
            assertThat(syntax.errorType()).as(syntax.toString()).isEqualTo("SyntaxError");
        }
    }

    @Test
    void runnersAreChosenInTheOrderTsxTsNodeDeno(@TempDir Path dir) throws Exception {
        Map<String, Path> runners = Map.of(
                "node", runner("node"), "tsx", runner("tsx"), "ts-node", runner("ts-node"), "deno", runner("deno"));
        assertThat(chosen(dir.resolve("a"), runners, "node", "deno")).isEqualTo("deno");
        assertThat(chosen(dir.resolve("b"), runners, "node", "deno", "ts-node")).isEqualTo("ts-node");
        assertThat(chosen(dir.resolve("c"), runners, "node", "deno", "ts-node", "tsx"))
                .isEqualTo("tsx");
    }

    /** The runner chosen when PATH is one directory holding links to the given tools. */
    private static String chosen(Path bin, Map<String, Path> runners, String... tools) throws Exception {
        Files.createDirectories(bin);
        for (String tool : tools) {
            Files.createSymbolicLink(bin.resolve(tool), runners.get(tool));
        }
        Interpreters.Found found = Interpreters.find(LocalConfig.from(Map.of()), bin.toString());
        assertThat(found.languages())
                .as(found.problems().toString())
                .contains(Language.TYPESCRIPT, Language.JAVASCRIPT);
        return found.typescript().runner();
    }
}
