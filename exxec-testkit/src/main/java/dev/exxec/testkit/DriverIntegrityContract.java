package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.FileEntry;
import dev.exxec.Language;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The drivers belong to exxec, not to the code (issue 13, finding 6): what one call leaves in the
 * workspace never changes how a later call's driver runs. A call plants modules named like those the
 * drivers and innocent programs import (Python's standard library, Node.js packages, a {@code package.json}, a Deno
 * configuration, Python's user site in {@code HOME}); every planted module, if it is ever loaded,
 * writes a marker file and returns forged values. Later innocent calls (an async {@code main}, an
 * exception with its traceback, a value JSON cannot hold, a print, an ES module with top-level
 * {@code await}) return their true results, no marker appears, and the code's own modules in the
 * workspace are still importable.
 *
 * <p>Each case plants into an environment of its own, so the planted files reach no other case.
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
}
