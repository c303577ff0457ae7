package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ConfigException;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.FileEntry;
import dev.exxec.Language;
import dev.exxec.Stop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The drivers and exxec's verdicts belong to exxec, not to the code (issue 13, findings 6 and 8).
 *
 * <p>What one call leaves in the workspace never changes how a later call's driver runs. A call
 * plants modules named like those the drivers and innocent programs import (Python's standard
 * library, Node.js packages, a {@code package.json}, a Deno configuration, Python's user site in
 * {@code HOME}); every planted module, if it is ever loaded, writes a marker file and returns forged
 * values. Later innocent calls (an async {@code main}, an exception with its traceback, a value JSON
 * cannot hold, a print, an ES module with top-level {@code await}) return their true results, no
 * marker appears, and the code's own modules in the workspace are still importable.
 *
 * <p>Each case plants into an environment of its own, so the planted files reach no other case.
 *
 * <p>Whether exxec stopped a call is {@link ExecutionResult#stoppedBy()}, never the code's say: a
 * program that finds the driver's result channel in its frames and writes a record that reads exactly
 * like exxec's timeout, one that replaces the driver's JSON encoder, and one that raises its own
 * {@code TimeoutError} with exxec's message all leave it unset; a real deadline and a real stop at the
 * output limit set it.
 */
abstract class DriverIntegrityContract extends KitArea {
    /** The marker files' prefix: a planted module that ran leaves {@code MARK-<its name>}. */
    static final String MARK = "MARK-";

    /**
     * Standard-library modules a driver, its support code or an innocent program may import after the
     * program started (plain modules, C accelerators in {@code lib-dynload}, and what {@code site}
     * imports), planted as files.
     */
    private static final List<String> PYTHON_MODULES = List.of(
            "asyncio",
            "traceback",
            "types",
            "functools",
            "enum",
            "linecache",
            "tokenize",
            "token",
            "textwrap",
            "contextlib",
            "contextvars",
            "inspect",
            "dis",
            "ast",
            "warnings",
            "weakref",
            "reprlib",
            "keyword",
            "operator",
            "heapq",
            "selectors",
            "socket",
            "select",
            "signal",
            "threading",
            "base64",
            "copy",
            "dataclasses",
            "typing",
            "codecs",
            "locale",
            "abc",
            "io",
            "os",
            "re",
            "string",
            "struct",
            "math",
            "site",
            "sitecustomize",
            "usercustomize",
            "_asyncio",
            "_json",
            "_socket",
            "_contextvars",
            "_opcode",
            "_struct");

    /** Packages of the standard library planted as directories. */
    private static final List<String> PYTHON_PACKAGES =
            List.of("json", "collections", "concurrent", "encodings", "logging", "email", "importlib");

    /**
     * Plants the modules (names in {@code MODULES}, {@code PACKAGES}), a user site {@code .pth} file in
     * {@code HOME}, and the code's own {@code mymodule.py}. A planted module writes its marker when
     * imported and answers every attribute with a function returning {@code {"forged": True}}.
     */
    private static final String PLANT_PYTHON = """
            import os, site

            ROOT = os.getcwd()
            BODY = '''\\
            with open(%r, "a") as _mark:
                _mark.write(__name__ + "\\\\n")

            def __getattr__(name):
                def forged(*args, **kwargs):
                    return {"forged": True}
                return forged
            '''

            def plant(path, name):
                if os.path.dirname(path):
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(BODY % os.path.join(ROOT, "MARK-" + name))

            for name in MODULES:
                plant(name + ".py", name)
            for name in PACKAGES:
                plant(os.path.join(name, "__init__.py"), name)
            try:  # HOME's user site, where the code can write it
                user_site = site.getusersitepackages()
                os.makedirs(user_site, exist_ok=True)
                with open(os.path.join(user_site, "exxec-planted.pth"), "w") as f:
                    f.write("import builtins; open(%r, 'a').write('pth')\\n" % os.path.join(ROOT, "MARK-pth"))
            except OSError:
                pass
            with open(os.path.join(ROOT, "mymodule.py"), "w") as f:
                f.write("VALUE = 7\\n")
            _result = len(MODULES) + len(PACKAGES)
            """;

    /** Innocent Python programs and what each returns. */
    private static final List<Innocent> PYTHON_CALLS = List.of(
            new Innocent("""
                    async def main():
                        import asyncio
                        await asyncio.sleep(0)
                        return {"value": 42}
                    """, Map.of("value", 42), null),
            new Innocent("""
                    import json, traceback, functools, enum, types
                    _result = json.dumps({"a": [1, 2]})
                    """, "{\"a\": [1, 2]}", null),
            new Innocent("_result = {\"nested\": {3}}\n", Map.of("nested", "{3}"), null),
            new Innocent("_result = {4}\n", "{4}", null),
            new Innocent("print('hello')\n", null, "hello\n"),
            new Innocent("import mymodule\n_result = mymodule.VALUE\n", 7, null));

    /** An innocent Python program that fails; its error must be its own, with its traceback. */
    private static final String PYTHON_FAILURE = """
            def inner():
                raise ValueError("innocent failure")

            def main():
                inner()
            """;

    DriverIntegrityContract(EnvironmentFactory factory) {
        super(factory);
    }

    /**
     * An innocent program: its true result, and its standard output when it prints (null: nothing
     * checked).
     */
    record Innocent(
            String source,
            @Nullable Object result,
            @Nullable String stdout) {}

    /** Python source that first binds {@code name} to a list of strings. */
    private static String withList(String name, List<String> values, String program) {
        StringBuilder s = new StringBuilder(name).append(" = [");
        values.forEach(v -> s.append('"').append(v).append("\", "));
        return s.append("]\n").append(program).toString();
    }

    /** A fresh environment with the planted Python modules in its workspace. */
    private ExecutionEnvironment plantedPython() {
        ExecutionEnvironment env = newEnv(Map.of());
        String source = withList("MODULES", PYTHON_MODULES, withList("PACKAGES", PYTHON_PACKAGES, PLANT_PYTHON));
        ExecutionResult planted = succeeded(env.execute(Code.python(source)));
        assertThat(planted.result()).as(describe(planted)).isEqualTo(PYTHON_MODULES.size() + PYTHON_PACKAGES.size());
        return env;
    }

    private static void assertInnocent(Innocent call, ExecutionResult r) {
        succeeded(r);
        assertThat(r.result())
                .as("the true result of %s: %s", call.source(), describe(r))
                .isEqualTo(call.result());
        if (call.stdout() != null) {
            assertThat(r.stdout()).as(describe(r)).isEqualTo(call.stdout());
        }
    }

    private static void assertInnocentFailure(ExecutionResult r) {
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.errorType()).as(describe(r)).isEqualTo("ValueError");
        assertThat(r.error()).as(describe(r)).isEqualTo("innocent failure");
        assertThat(r.traceback()).as(describe(r)).contains("inner").contains("innocent failure");
    }

    /**
     * Asserts that no planted module ran: no marker file in the workspace, as the environment's files
     * show it (where it declares files) and as a program of {@code language} sees it.
     */
    private void assertNoMarkers(ExecutionEnvironment env, Language language) {
        if (env.capabilities().files()) {
            List<String> marks = new ArrayList<>();
            for (FileEntry e : env.files().list(".")) {
                if (e.name().startsWith(MARK)) {
                    marks.add(e.name());
                }
            }
            assertThat(marks).as("markers of planted modules that were loaded").isEmpty();
        }
        String list = switch (language) {
            case PYTHON -> "import os\n_result = sorted(n for n in os.listdir('.') if n.startswith('MARK-'))\n";
            case JAVASCRIPT, TYPESCRIPT ->
                "const fs = require('fs');\nlet _result = fs.readdirSync('.').filter((n) => n.startsWith('MARK-')).sort();\n";
        };
        ExecutionResult r = succeeded(env.execute(Code.of(language, list)));
        assertThat(r.result())
                .as("markers of planted modules that were loaded: %s", describe(r))
                .isEqualTo(List.of());
    }

    @Test
    void pythonModulesPlantedInTheWorkspaceNeverReachTheDriver() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env = plantedPython();
        // Twice: the first calls may run in fresh interpreters, later ones in forks of a started one.
        for (int round = 0; round < 2; round++) {
            for (Innocent call : PYTHON_CALLS) {
                assertInnocent(call, env.execute(Code.python(call.source())));
            }
            assertInnocentFailure(env.execute(Code.python(PYTHON_FAILURE)));
        }
        assertNoMarkers(env, Language.PYTHON);
    }

    @Test
    void pythonModulesPlantedInTheWorkspaceNeverReachASession() {
        assumeLanguage(Language.PYTHON);
        assumeTrue(caps().sessions(), "the environment does not declare sessions");
        ExecutionEnvironment env = plantedPython();
        try (CodeSession session = env.session(Language.PYTHON)) {
            for (Innocent call : PYTHON_CALLS) {
                assertInnocent(call, session.execute(call.source()));
            }
            assertInnocentFailure(session.execute(PYTHON_FAILURE));
        }
        assertNoMarkers(env, Language.PYTHON);
    }

    /**
     * Plants, for Node.js and Deno: a {@code package.json} that makes the workspace an ES-module
     * package with {@code main}, {@code exports} and {@code imports}; shadows of the packages a
     * driver might load (the transpilers, their helpers, names of built-in modules) in {@code
     * node_modules} and in {@code HOME}'s {@code .node_modules} and {@code .node_libraries}; a Deno
     * configuration whose import map points the built-in modules at a planted one, and a {@code
     * tsconfig.json}; and the code's own {@code mymodule.mjs} and {@code mymodule.cjs}.
     */
    private static final String PLANT_NODE = """
            const fs = require('fs');
            const path = require('path');
            const root = process.cwd();
            const mark = (name) => JSON.stringify(path.join(root, 'MARK-' + name));
            const cjs = (name) => `require('fs').appendFileSync(${mark(name)}, 'loaded\\\\n');
            module.exports = new Proxy({}, { get: () => () => ({ forged: true }) });
            `;
            const esm = (name) => `import { appendFileSync } from 'node:fs';
            appendFileSync(${mark(name)}, 'loaded\\\\n');
            export default { forged: true };
            export const __exxec_probe = () => [() => ({ forged: true }), undefined];
            `;
            const write = (file, text) => {
              fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
              fs.writeFileSync(path.join(root, file), text);
            };
            write('package.json', JSON.stringify({
              name: 'planted', type: 'module', main: './planted.cjs',
              exports: { '.': './planted.mjs', './package.json': './package.json' },
              imports: { '#internal': './planted.mjs', '#fs': './planted.mjs' },
            }));
            write('planted.cjs', cjs('package-main'));
            write('planted.mjs', esm('package-exports'));
            const packages = ['esbuild', '@esbuild/linux-x64', '@esbuild/linux-arm64', 'typescript', 'tsx',
              'ts-node', 'source-map-support', 'fs', 'path', 'vm', 'util', 'module', 'url', 'os', 'events',
              'buffer', 'process', 'timers'];
            let planted = 0;
            for (const dir of ['node_modules', '.node_modules', '.node_libraries']) {
              for (const name of packages) {
                const id = (dir + '-' + name).replace(/[^\\w.-]/g, '_');
                write(path.join(dir, name, 'package.json'), JSON.stringify({ name, main: 'index.js', exports: { '.': { import: './index.mjs', default: './index.js' } } }));
                write(path.join(dir, name, 'index.js'), cjs(id));
                write(path.join(dir, name, 'index.mjs'), esm(id));
                planted++;
              }
            }
            const map = {};
            for (const name of ['fs', 'path', 'url', 'module', 'os', 'util', 'vm']) {
              map['node:' + name] = './planted.mjs';
            }
            write('deno.json', JSON.stringify({ imports: map, compilerOptions: { strict: false } }));
            write('tsconfig.json', JSON.stringify({ compilerOptions: { jsxFactory: 'forged', module: 'commonjs' } }));
            write('mymodule.mjs', 'export const VALUE = 7;\\n');
            write('mymodule.cjs', 'module.exports = { VALUE: 7 };\\n');
            let _result = planted;
            """;

    /** Innocent JavaScript: CommonJS, top-level await, an ES module with imports, a failure, a print. */
    private static final List<Innocent> JAVASCRIPT_CALLS = List.of(
            new Innocent("""
                    const path = require('path');
                    const { VALUE } = require('./mymodule.cjs');
                    function main() { return { joined: path.join('a', 'b'), value: VALUE }; }
                    """, Map.of("joined", "a/b", "value", 7), null),
            new Innocent("""
                    const v = await Promise.resolve(5);
                    function main() { return v * 2; }
                    """, 10, null),
            new Innocent("""
                    import { join } from 'node:path';
                    import { VALUE } from './mymodule.mjs';
                    const joined = await Promise.resolve(join('a', 'b'));
                    export function main() { return { joined, value: VALUE }; }
                    """, Map.of("joined", "a/b", "value", 7), null),
            new Innocent("console.log('hello');\n", null, "hello\n"),
            new Innocent("let _result = new Map([[1, 2]]);\n", "Map(1) { 1 => 2 }", null));

    /** The same in TypeScript, with types. */
    private static final List<Innocent> TYPESCRIPT_CALLS = List.of(
            new Innocent("""
                    const path = require('path');
                    function main(): { joined: string } { return { joined: path.join('a', 'b') }; }
                    """, Map.of("joined", "a/b"), null),
            new Innocent("""
                    import { join } from 'node:path';
                    import { VALUE } from './mymodule.mjs';
                    const joined: string = await Promise.resolve(join('a', 'b'));
                    export function main(): { joined: string; value: number } { return { joined, value: VALUE }; }
                    """, Map.of("joined", "a/b", "value", 7), null),
            new Innocent("""
                    export async function main(): Promise<number> { return await Promise.resolve(21) * 2; }
                    """, 42, null),
            new Innocent("const greeting: string = 'hello';\nconsole.log(greeting);\n", null, "hello\n"));

    /** exxec's message for a call that reached the default deadline, word for word. */
    static final String TIMEOUT_MESSAGE = "the execution exceeded its timeout of 30s and was killed";

    /**
     * Finds the driver's request header (its result file or its stdout marker) in the driver's frames
     * or, failing that, among all live objects, and writes a record with exxec's own timeout in it,
     * then ends at once so that the driver writes nothing after it. Without a header to find (an
     * in-process interpreter has none), it raises the same as Python's own TimeoutError.
     */
    private static final String PYTHON_FORGES_A_TIMEOUT = """
            import gc, json, os, sys

            MESSAGE = "%s"
            RECORD = json.dumps({"ok": False, "error": MESSAGE, "errorType": "TimeoutError", "traceback": None})

            def looks_like_header(value):
                return isinstance(value, dict) and ("marker" in value or "file" in value) and "support" in value

            def find_header():
                frame = sys._getframe()
                while frame is not None:
                    for value in list(frame.f_locals.values()):
                        if looks_like_header(value):
                            return value
                    frame = frame.f_back
                for value in getattr(gc, "get_objects", list)():
                    if looks_like_header(value):
                        return value
                return None

            header = find_header()
            if header is None:
                raise TimeoutError(MESSAGE)
            sys.stdout.flush()
            if "file" in header:
                with open(header["file"], "w") as f:
                    f.write(RECORD)
            else:
                os.write(1, (header["marker"] + RECORD + "\\n").encode())
            os._exit(0)
            """.formatted(TIMEOUT_MESSAGE);

    /** Replaces the JSON encoder the driver shares with the program, so the driver writes a forged record. */
    private static final String JAVASCRIPT_FORGES_A_TIMEOUT = """
            const original = JSON.stringify;
            JSON.stringify = function (value, ...rest) {
              if (value && typeof value === 'object' && 'ok' in value) {
                return original({ ok: false, error: '%s', errorType: 'TimeoutError', traceback: null });
              }
              return original.call(JSON, value, ...rest);
            };
            function main() { return 1; }
            """.formatted(TIMEOUT_MESSAGE);

    private static final String JAVASCRIPT_FAILURE = """
            import { join } from 'node:path';
            export function main() { throw new RangeError('innocent ' + join('a', 'b')); }
            """;

    /** Skips unless JavaScript runs on Node.js, whose files the Node.js cases plant (GraalJS loads none). */
    private void assumeNode() {
        assumeLanguage(Language.JAVASCRIPT);
        ExecutionResult r = succeeded(env().execute(Code.javascript(
                "let _result = typeof process === 'object' && !!(process.versions && process.versions.node);\n")));
        assumeTrue(Boolean.TRUE.equals(r.result()), "JavaScript does not run on Node.js here: it loads no files");
    }

    private void nodeFilesNeverReachTheDriver(
            Language language, List<Innocent> calls, Function<ExecutionEnvironment, ExecutionResult> failure) {
        assumeLanguage(language);
        assumeNode(); // the planting program
        ExecutionEnvironment env = newEnv(Map.of());
        ExecutionResult planted = succeeded(env.execute(Code.javascript(PLANT_NODE)));
        assertThat(planted.result()).as(describe(planted)).isEqualTo(54);
        for (Innocent call : calls) {
            assertInnocent(call, env.execute(Code.of(language, call.source())));
        }
        ExecutionResult r = failure.apply(env);
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.errorType()).as(describe(r)).isEqualTo("RangeError");
        assertThat(r.error()).as(describe(r)).isEqualTo("innocent a/b");
        assertNoMarkers(env, Language.JAVASCRIPT);
    }

    @Test
    void nodeFilesPlantedInTheWorkspaceNeverReachTheJavaScriptDriver() {
        nodeFilesNeverReachTheDriver(
                Language.JAVASCRIPT, JAVASCRIPT_CALLS, env -> env.execute(Code.javascript(JAVASCRIPT_FAILURE)));
    }

    @Test
    void nodeFilesPlantedInTheWorkspaceNeverReachTheTypeScriptDriver() {
        nodeFilesNeverReachTheDriver(
                Language.TYPESCRIPT, TYPESCRIPT_CALLS, env -> env.execute(Code.typescript(JAVASCRIPT_FAILURE)));
    }

    @Test
    void nodeFilesPlantedInTheWorkspaceNeverReachASession() {
        assumeNode();
        assumeTrue(caps().sessions(), "the environment does not declare sessions");
        ExecutionEnvironment env = newEnv(Map.of());
        succeeded(env.execute(Code.javascript(PLANT_NODE)));
        try (CodeSession session = env.session(Language.JAVASCRIPT)) {
            assertInnocent(
                    JAVASCRIPT_CALLS.get(0),
                    session.execute(JAVASCRIPT_CALLS.get(0).source()));
            assertInnocent(
                    JAVASCRIPT_CALLS.get(3),
                    session.execute(JAVASCRIPT_CALLS.get(3).source()));
            assertInnocent(
                    JAVASCRIPT_CALLS.get(4),
                    session.execute(JAVASCRIPT_CALLS.get(4).source()));
        }
        assertNoMarkers(env, Language.JAVASCRIPT);
    }

    /** A failure that the code claims: its own error type, exxec's stop unset. */
    private static void assertOwnClaim(ExecutionResult r) {
        assertThat(r.stoppedBy())
                .as("exxec did not stop this call: %s", describe(r))
                .isNull();
        if (!r.success()) {
            assertThat(r.errorType())
                    .as("the code's own claim stays: %s", describe(r))
                    .isEqualTo(ErrorTypes.TIMEOUT);
        }
    }

    @Test
    void aPythonRecordThatReadsLikeExxecsTimeoutIsTheCodesOwnClaim() {
        assumeLanguage(Language.PYTHON);
        ExecutionResult r = env().execute(Code.python(PYTHON_FORGES_A_TIMEOUT));
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.error()).as(describe(r)).isEqualTo(TIMEOUT_MESSAGE);
        if (factory().codeRunsInOwnProcess()) {
            assertThat(r.exitCode())
                    .as("the program found the driver's result channel and wrote the record itself: %s", describe(r))
                    .isZero();
        }
        assertOwnClaim(r);
    }

    @Test
    void aPythonTimeoutErrorWithExxecsWordsIsTheCodesOwn() {
        assumeLanguage(Language.PYTHON);
        ExecutionResult r = env().execute(Code.python("raise TimeoutError(\"" + TIMEOUT_MESSAGE + "\")\n"));
        assertThat(r.success()).as(describe(r)).isFalse();
        assertOwnClaim(r);
    }

    @Test
    void aJavaScriptRecordThatReadsLikeExxecsTimeoutIsTheCodesOwnClaim() {
        assumeLanguage(Language.JAVASCRIPT);
        assertOwnClaim(env().execute(Code.javascript(JAVASCRIPT_FORGES_A_TIMEOUT)));
        ExecutionResult thrown = env().execute(Code.javascript("""
                class TimeoutError extends Error {}
                function main() { throw new TimeoutError('%s'); }
                """.formatted(TIMEOUT_MESSAGE)));
        assertThat(thrown.success()).as(describe(thrown)).isFalse();
        assertOwnClaim(thrown);
    }

    @Test
    void aRealDeadlineIsExxecsVerdict() {
        for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
            if (!caps().supports(language)) {
                continue;
            }
            String sleeps = language == Language.PYTHON ? "import time\ntime.sleep(30)\n" : "while (true) {}\n";
            ExecutionResult r = env().execute(Code.of(language, sleeps).withTimeout(Duration.ofSeconds(1)));
            assertThat(r.success()).as(describe(r)).isFalse();
            assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
            assertThat(r.stoppedBy()).as(describe(r)).isEqualTo(Stop.DEADLINE);
        }
        if (caps().sessions() && caps().supports(Language.PYTHON)) {
            try (CodeSession session = env().session(Language.PYTHON)) {
                ExecutionResult r = session.execute(
                        Code.python("import time\ntime.sleep(30)\n").withTimeout(Duration.ofSeconds(1)));
                assertThat(r.stoppedBy()).as(describe(r)).isEqualTo(Stop.DEADLINE);
                ExecutionResult forged = session.execute(Code.python(
                        "raise TimeoutError(\"the call ran past its deadline of 1 s and was interrupted\")\n"));
                assertThat(forged.stoppedBy()).as(describe(forged)).isNull();
            }
        }
    }

    @Test
    void aRealStopAtTheOutputLimitIsExxecsVerdict() {
        assumeLanguage(Language.PYTHON);
        ExecutionEnvironment env;
        try {
            env = newEnv(Map.of("outputLimit", "1m", "stopOnOutputLimit", "true"));
        } catch (ConfigException e) {
            assumeTrue(!"stopOnOutputLimit".equals(e.key()), () -> "the environment refuses: " + e.getMessage());
            throw e;
        }
        ExecutionResult r = env.execute(Code.python("""
                import sys
                while True:
                    sys.stdout.write("x" * 65536)
                """).withTimeout(Duration.ofSeconds(30)));
        assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.OUTPUT_LIMIT);
        assertThat(r.stoppedBy()).as(describe(r)).isEqualTo(Stop.OUTPUT_LIMIT);
    }
}
