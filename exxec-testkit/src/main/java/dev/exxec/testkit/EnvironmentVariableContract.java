package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ConfigException;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.UnsupportedCapabilityException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Environment variables: what the caller sets (config {@code env.NAME} or per call) is visible; the
 * host's variables are not, unless {@code inheritEnv} where declared; by default only {@code PATH},
 * {@code HOME} and {@code LANG} are there besides the caller's.
 */
abstract class EnvironmentVariableContract extends KitArea {
    /** What every environment has by default. */
    private static final Set<String> MINIMAL = Set.of("PATH", "HOME", "LANG");
    /** What a shell adds to its own environment on start. */
    private static final Set<String> SHELL_ADDED = Set.of("PWD", "OLDPWD", "SHLVL", "_");
    /**
     * What Python adds to its own environment: PEP 538 coerces a C locale to C.UTF-8 by setting
     * {@code LC_CTYPE} in the interpreter's environment.
     */
    private static final Set<String> PYTHON_ADDED = Set.of("LC_CTYPE");
    /** A variable the kit sets on the host of a child JVM when this JVM has no usable one. */
    private static final String HOST_ONLY = "EXXEC_KIT_HOST_ONLY";

    EnvironmentVariableContract(EnvironmentFactory factory) {
        super(factory);
    }

    /** The variable names the factory's own configuration sets ({@code env.NAME} and an {@code env} map). */
    private Set<String> configured() {
        Set<String> names = new TreeSet<>();
        factory().config().forEach((key, value) -> {
            if (key.startsWith("env.")) {
                names.add(key.substring(4));
            } else if (key.equals("env") && value instanceof Map<?, ?> map) {
                map.keySet().forEach(k -> names.add(String.valueOf(k)));
            }
        });
        return names;
    }

    private static String pythonGet(String name) {
        return "import os\n_result = os.environ.get(\"" + name + "\")\n";
    }

    @Test
    void configuredVariableIsVisibleToCode() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("env.KIT_CONFIG_VAR", "from config é"));
        ExecutionResult r = succeeded(env.execute(Code.python(pythonGet("KIT_CONFIG_VAR"))));
        assertThat(r.result()).as(describe(r)).isEqualTo("from config é");
    }

    @Test
    void configuredVariableIsVisibleToJavaScript() {
        assumeLanguage(Language.JAVASCRIPT);
        ExecutionEnvironment env = newEnv(Map.of("env.KIT_CONFIG_VAR", "from config"));
        ExecutionResult r = succeeded(env.execute(Code.javascript("let _result = process.env.KIT_CONFIG_VAR;\n")));
        assertThat(r.result()).as(describe(r)).isEqualTo("from config");
    }

    @Test
    void configuredVariableIsVisibleToCommands() {
        assumeCommands();
        ExecutionEnvironment env =
                newEnv(Map.of("env.KIT_CONFIG_VAR", "from config", "env", Map.of("KIT_MAP_VAR", "from map")));
        ExecutionResult r = succeeded(env.executeCommand("echo \"$KIT_CONFIG_VAR/$KIT_MAP_VAR\""));
        assertThat(r.stdout()).as(describe(r)).isEqualTo("from config/from map\n");
    }

    @Test
    void perCallVariableWinsForThatCallOnly() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = newEnv(Map.of("env.KIT_VAR", "config"));
        ExecutionResult call =
                succeeded(env.execute(Code.python(pythonGet("KIT_VAR")).withEnv("KIT_VAR", "call")));
        assertThat(call.result()).as(describe(call)).isEqualTo("call");
        ExecutionResult added =
                succeeded(env.execute(Code.python(pythonGet("KIT_OTHER")).withEnv("KIT_OTHER", "x")));
        assertThat(added.result()).as(describe(added)).isEqualTo("x");
        ExecutionResult next = succeeded(env.execute(Code.python(pythonGet("KIT_VAR"))));
        assertThat(next.result()).as(describe(next)).isEqualTo("config");
    }

    /**
     * A variable of this JVM's environment that no environment may pass on by default, or empty when
     * there is none.
     */
    private static Optional<Map.Entry<String, String>> hostVariable() {
        Map<String, String> host = System.getenv();
        if (host.containsKey("JAVA_HOME") && !host.get("JAVA_HOME").isEmpty()) {
            return Optional.of(Map.entry("JAVA_HOME", host.get("JAVA_HOME")));
        }
        return host.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .filter(e -> !MINIMAL.contains(e.getKey()) && !SHELL_ADDED.contains(e.getKey()))
                .filter(e -> !e.getKey().startsWith("LC_") && !e.getKey().equals("TERM"))
                .filter(e -> e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*"))
                .sorted(Map.Entry.comparingByKey())
                .findFirst()
                .map(e -> Map.entry(e.getKey(), e.getValue()));
    }

    /** What {@code os.environ.get(name)} gives in a new environment with {@code overrides}. */
    private Object seenByCode(String name, Map<String, ?> overrides) throws IOException, InterruptedException {
        Optional<Map.Entry<String, String>> host = hostVariable();
        if (host.isPresent() && host.get().getKey().equals(name)) {
            ExecutionEnvironment env = newEnv(overrides);
            ExecutionResult r = succeeded(env.execute(Code.python(pythonGet(name))));
            return r.result();
        }
        // This JVM has no such variable: a child JVM gets one from its host environment.
        ChildJvm.Report report = ChildJvm.run(
                factory(),
                overrides,
                Language.PYTHON,
                "import os\nprint(os.environ.get(\"" + name + "\", \"<unset>\"))\n",
                "256m",
                Map.of(HOST_ONLY, "host-only-value"));
        assertThat(report.field("success")).as(report.output()).isEqualTo("true");
        String printed = report.stdout().strip();
        return printed.equals("<unset>") ? null : printed;
    }

    private Map.Entry<String, String> hostVariableOrChild() {
        return hostVariable().orElse(Map.entry(HOST_ONLY, "host-only-value"));
    }

    @Test
    void hostVariableIsNotVisible() throws IOException, InterruptedException {
        assumeLanguage(Language.PYTHON);
        Map.Entry<String, String> host = hostVariableOrChild();
        assertThat(seenByCode(host.getKey(), Map.of()))
                .as("the host's %s reached the code", host.getKey())
                .isNull();
    }

    @Test
    void hostVariableIsVisibleWithInheritEnv() throws IOException, InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeTrue(caps().inheritEnv(), "the environment does not declare inheritEnv");
        Map.Entry<String, String> host = hostVariableOrChild();
        assertThat(seenByCode(host.getKey(), Map.of("inheritEnv", "true"))).isEqualTo(host.getValue());
    }

    @Test
    void inheritEnvIsRefusedWhereNotDeclared() {
        assumeTrue(!caps().inheritEnv(), "the environment declares inheritEnv");
        assertThatThrownBy(() -> newEnv(Map.of("inheritEnv", "true")))
                .isInstanceOfAny(ConfigException.class, UnsupportedCapabilityException.class);
    }

    @Test
    void codeSeesOnlyTheMinimalVariablesByDefault() {
        assumeLanguage(Language.PYTHON);
        ExecutionResult r = succeeded(env().execute(
                        Code.python("import os\n_result = sorted(os.environ)\n").withEnv("KIT_CALL_VAR", "1")));
        Set<String> allowed = new TreeSet<>(MINIMAL);
        allowed.addAll(configured());
        allowed.addAll(PYTHON_ADDED);
        allowed.add("KIT_CALL_VAR");
        assertThat(names(r.result())).as(describe(r)).containsAll(MINIMAL).contains("KIT_CALL_VAR");
        assertThat(allowed)
                .as("variables beyond PATH, HOME, LANG and the caller's: %s", describe(r))
                .containsAll(names(r.result()));
    }

    @Test
    void commandsSeeOnlyTheMinimalVariablesByDefault() {
        assumeCommands();
        ExecutionResult r = succeeded(env().executeCommand(Command.of("env").withEnv("KIT_CALL_VAR", "1")));
        List<String> names = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                names.add(line.substring(0, eq));
            }
        }
        Set<String> allowed = new TreeSet<>(MINIMAL);
        allowed.addAll(configured());
        allowed.addAll(SHELL_ADDED);
        allowed.add("KIT_CALL_VAR");
        assertThat(names).as(describe(r)).containsAll(MINIMAL).contains("KIT_CALL_VAR");
        assertThat(allowed)
                .as("variables beyond PATH, HOME, LANG and the caller's: %s", describe(r))
                .containsAll(names);
    }

    private static List<String> names(Object result) {
        assertThat(result).isInstanceOf(List.class);
        return ((List<?>) result).stream().map(String::valueOf).toList();
    }
}
