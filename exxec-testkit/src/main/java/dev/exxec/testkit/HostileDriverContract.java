package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.BackgroundProcess;
import dev.exxec.Code;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Isolation;
import dev.exxec.Language;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A background process of one call races the drivers of later calls (issue 13, finding 6): it
 * watches the workspace they share and swaps every new file for a module of its own, over and over,
 * as fast as it can. Innocent ES-module programs (JavaScript and TypeScript) and Python programs that
 * run meanwhile return their true results and never run the swapped-in code: a driver reads nothing
 * back from where the code can write.
 *
 * <p>Hostile code: the area runs only where the environment declares isolation {@link
 * Isolation#OS_SANDBOX} or stronger, as {@link HostileContract}.
 */
abstract class HostileDriverContract extends HostileArea {
    /**
     * Swaps each new file of the workspace's top directory (not the markers) for PAYLOAD, 200 times
     * each, atomically (a rename over it): a reader that opens the name gets the payload whatever was
     * written there. Names that were there at its start are left alone.
     */
    private static final String SWAPPER = """
            import os, sys
            root = os.getcwd()
            spare = os.path.join(root, ".swapper")
            payload = open(os.path.join(spare, "payload"), "rb").read()
            seen = set(os.listdir(root))
            swaps = {}
            n = 0
            print("swapping", flush=True)
            while True:
                for entry in os.scandir(root):
                    name = entry.name
                    if name in seen or name.startswith("MARK-") or swaps.get(name, 0) >= 200:
                        continue
                    swaps[name] = swaps.get(name, 0) + 1
                    n += 1
                    tmp = os.path.join(spare, "t%d" % n)
                    with open(tmp, "wb") as f:
                        f.write(payload)
                    try:
                        os.replace(tmp, os.path.join(root, name))
                        if swaps[name] == 1:
                            print("swapped", name, flush=True)
                    except OSError:
                        os.unlink(tmp)
            """;

    /** Valid as an ES module and as TypeScript: marks that it ran and forges the driver's result. */
    private static final String PAYLOAD = """
            import { appendFileSync } from 'node:fs';
            appendFileSync(process.cwd() + '/MARK-swapped', 'hijacked\\n');
            export const __exxec_probe = () => [() => ({ forged: true }), undefined];
            export default { forged: true };
            """;

    private static final String JAVASCRIPT_MODULE = """
            import { join } from 'node:path';
            const joined = await Promise.resolve(join('a', 'b'));
            export function main() { return { joined, n: __N__ }; }
            """;

    private static final String TYPESCRIPT_MODULE = """
            import { join } from 'node:path';
            const joined: string = await Promise.resolve(join('a', 'b'));
            export function main(): { joined: string; n: number } { return { joined, n: __N__ }; }
            """;

    private static final String PYTHON_PROGRAM = """
            async def main():
                import asyncio, json
                await asyncio.sleep(0)
                return {"joined": "a/b", "n": __N__}
            """;

    HostileDriverContract(EnvironmentFactory factory) {
        super(factory);
    }

    @Test
    void aProcessSwappingWorkspaceFilesNeverHijacksALaterCall() {
        assumeTrue(caps().processes(), "the environment does not declare background processes");
        assumeLanguage(Language.PYTHON); // the swapper and the canary
        ExecutionEnvironment env = newEnv(Map.of());
        succeeded(env.execute(
                Code.python("""
                import os
                os.makedirs(".swapper", exist_ok=True)
                with open(".swapper/swap.py", "w") as f:
                    f.write(SWAPPER)
                with open(".swapper/payload", "w") as f:
                    f.write(PAYLOAD)
                """.replace("SWAPPER", pyString(SWAPPER)).replace("PAYLOAD", pyString(PAYLOAD)))));
        BackgroundProcess swapper = env.processes().start("exec python3 .swapper/swap.py");
        try {
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> swapper.output().stdout().contains("swapping") || !swapper.isAlive());
            assertThat(swapper.isAlive())
                    .as("the swapper runs: %s", swapper.output().stderr())
                    .isTrue();
            // The swapper is live: a file a call writes is someone else's a moment later.
            ExecutionResult canary = succeeded(env.execute(Code.python("""
                    import time
                    with open("canary.txt", "w") as f:
                        f.write("original")
                    deadline = time.monotonic() + 10
                    while time.monotonic() < deadline:
                        with open("canary.txt") as f:
                            _result = f.read()
                        if _result != "original":
                            break
                        time.sleep(0.01)
                    """)));
            assertThat(canary.result()).as(describe(canary)).isEqualTo(PAYLOAD);
            for (int n = 0; n < 8; n++) {
                Map<String, Object> expected = Map.of("joined", "a/b", "n", n);
                if (caps().supports(Language.JAVASCRIPT)) {
                    ExecutionResult r = env.execute(Code.javascript(JAVASCRIPT_MODULE.replace("__N__", "" + n)));
                    assertThat(succeeded(r).result()).as(describe(r)).isEqualTo(expected);
                }
                if (caps().supports(Language.TYPESCRIPT) && n % 2 == 0) {
                    ExecutionResult r = env.execute(Code.typescript(TYPESCRIPT_MODULE.replace("__N__", "" + n)));
                    assertThat(succeeded(r).result()).as(describe(r)).isEqualTo(expected);
                }
                if (n % 2 == 1) {
                    ExecutionResult r = env.execute(Code.python(PYTHON_PROGRAM.replace("__N__", "" + n)));
                    assertThat(succeeded(r).result()).as(describe(r)).isEqualTo(expected);
                }
            }
        } finally {
            swapper.kill();
        }
        ExecutionResult marks = succeeded(env.execute(
                Code.python("import os\n_result = sorted(n for n in os.listdir('.') if n.startswith('MARK-'))\n")));
        assertThat(marks.result())
                .as("swapped-in code that ran: %s", describe(marks))
                .isEqualTo(List.of());
    }

    /** A Python string literal of {@code text}. */
    private static String pyString(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c < 0x20 || c > 0x7e) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
