package dev.exxec.testkit;

import dev.exxec.Language;

/**
 * The same programs written in each language, so that {@link LanguageContract} checks one set of
 * expectations everywhere. Each component says what its program does; the expected values are in
 * {@link LanguageContract}.
 *
 * @param language the language
 * @param syncMain a sync {@code main()} returning {@code {"answer": 42, "items": [1, 2.5, "x", true, null]}}
 * @param asyncMain an async {@code main()} that awaits, then returns {@code "async-ok"}
 * @param underscoreResult assigns {@code _result = [1, 2, 3]}
 * @param mainAndResult defines {@code main()} returning {@code "main"} and {@code _result = "result"}
 * @param numbers returns {@code {"small": 7, "large": 2^40, "negative": -3, "float": 1.5}} and, where
 *     the language has arbitrary integers, {@code "huge": 2^70}
 * @param nonJson returns a value JSON cannot hold: {@code nonJsonText} of type {@code nonJsonType}
 * @param nonJsonText the text form of that value
 * @param nonJsonType the type name of that value
 * @param noResult neither {@code main()} nor {@code _result}
 * @param raisesAtLine3 throws an exception of type {@code lineErrorType} with message {@code "bad
 *     value"} at line 3, inside a function
 * @param lineErrorType the exception class of {@code raisesAtLine3}
 * @param lineMark how the language's traceback names line 3
 * @param customError throws its own exception class {@code QuotaError} with message {@code "over quota"}
 * @param asyncError an async {@code main()} that fails with {@code asyncErrorType} / {@code asyncErrorMessage}
 * @param asyncErrorType the exception class of {@code asyncError}
 * @param asyncErrorMessage the message of {@code asyncError}
 * @param syntaxError does not parse
 * @param printsAndReturns prints {@code hello} and returns 1
 * @param bothStreams prints {@code to-out} to stdout and {@code to-err} to stderr
 * @param fakeRecordsThenResult prints {@link LanguageContract#FAKE_LINES}, then returns 1
 * @param fakeRecordsThenError prints {@link LanguageContract#FAKE_LINES}, then throws
 * @param fakeRecordsOnly prints {@link LanguageContract#FAKE_LINES} and returns nothing
 * @param forgesOpenFilesThenResult writes a fake result record into every open regular file, then
 *     returns 1
 * @param forgesOpenFilesThenExits writes a fake result record into every open regular file, then exits
 *     at once with code 0
 * @param unicode has {@link LanguageContract#UNICODE} in a comment and a literal, prints it and returns it
 * @param invalidUtf8 writes the bytes {@code ff fe} then {@code " ok\n"} to stdout, returns 1
 * @param exits3 prints {@code bye} and exits with code 3
 * @param exits0 prints {@code bye} and exits with code 0 before the end of the program
 * @param readsStdin reads standard input to its end and returns what it read
 */
record LanguagePrograms(
        Language language,
        String syncMain,
        String asyncMain,
        String underscoreResult,
        String mainAndResult,
        String numbers,
        String nonJson,
        String nonJsonText,
        String nonJsonType,
        String noResult,
        String raisesAtLine3,
        String lineErrorType,
        String lineMark,
        String customError,
        String asyncError,
        String asyncErrorType,
        String asyncErrorMessage,
        String syntaxError,
        String printsAndReturns,
        String bothStreams,
        String fakeRecordsThenResult,
        String fakeRecordsThenError,
        String fakeRecordsOnly,
        String forgesOpenFilesThenResult,
        String forgesOpenFilesThenExits,
        String unicode,
        String invalidUtf8,
        String exits3,
        String exits0,
        String readsStdin) {

    /** Whether {@link #numbers} also returns {@code "huge": 2^70}. */
    boolean hasBigIntegers() {
        return language == Language.PYTHON;
    }

    static LanguagePrograms of(Language language) {
        return switch (language) {
            case PYTHON -> python();
            case JAVASCRIPT -> javascript();
            case TYPESCRIPT -> typescript();
        };
    }

    private static final String PY_FAKES = """
            import sys
            fake = '{"ok":true,"value":666,"type":null}'
            print("\\x1eexxec-result:" + "A" * 24 + ":" + fake)
            print("\\x1eexxec-result:" + fake)
            print(fake)
            """;

    /** See {@link #JS_FORGE_FILES}. */
    private static final String PY_FORGE_FILES = """
            import os, stat
            forged = b'{"ok":true,"value":666,"type":null}'
            try:
                fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
            except OSError:
                fds = []
            for fd in fds:
                try:
                    if fd >= 3 and stat.S_ISREG(os.fstat(fd).st_mode):
                        os.pwrite(fd, forged, 0)
                except OSError:
                    pass
            """;

    static LanguagePrograms python() {
        return new LanguagePrograms(
                Language.PYTHON,
                """
                def main():
                    return {"answer": 42, "items": [1, 2.5, "x", True, None]}
                """,
                """
                import asyncio

                async def main():
                    await asyncio.sleep(0.01)
                    return "async-ok"
                """,
                "_result = [1, 2, 3]\n",
                """
                _result = "result"

                def main():
                    return "main"
                """,
                """
                _result = {"small": 7, "large": 2**40, "negative": -3, "float": 1.5, "huge": 2**70}
                """,
                "_result = {1, 2}\n",
                "{1, 2}",
                "set",
                "x = 1\n",
                """
                def check(value):
                    if value < 0:
                        raise ValueError("bad value")

                check(-1)
                """,
                "ValueError",
                "line 3",
                """
                class QuotaError(Exception):
                    pass

                raise QuotaError("over quota")
                """,
                """
                import asyncio

                async def main():
                    await asyncio.sleep(0)
                    return 1 / 0
                """,
                "ZeroDivisionError",
                "division by zero",
                """
                def main(:
                    return 1
                """,
                """
                print("hello")
                _result = 1
                """,
                """
                import sys
                print("to-err", file=sys.stderr)
                print("to-out")
                """,
                PY_FAKES + "_result = 1\n",
                PY_FAKES + "raise RuntimeError(\"after the fakes\")\n",
                PY_FAKES,
                PY_FORGE_FILES + "_result = 1\n",
                PY_FORGE_FILES + "os._exit(0)\n",
                """
                # é 😀 中文 in a comment
                s = "é 😀 中文"
                print(s)
                _result = s
                """,
                """
                import sys
                sys.stdout.flush()
                sys.stdout.buffer.write(b"\\xff\\xfe ok\\n")
                sys.stdout.flush()
                _result = 1
                """,
                """
                import sys
                print("bye")
                sys.exit(3)
                """,
                """
                import sys
                print("bye")
                sys.exit(0)
                raise RuntimeError("not reached")
                """,
                """
                import sys
                _result = sys.stdin.read()
                """);
    }

    /**
     * Writes a fake result record into every open regular file (where {@code /proc/self/fd} lists the
     * descriptors): where a driver reports through a file it holds open, that is the channel.
     */
    private static final String JS_FORGE_FILES = """
            const forgeFs = require("fs");
            const forged = '{"ok":true,"value":666,"type":null}';
            let forgeFds = [];
            try {
              forgeFds = forgeFs.readdirSync("/proc/self/fd").map(Number);
            } catch (e) {}
            for (const fd of forgeFds) {
              try {
                if (fd >= 3 && forgeFs.fstatSync(fd).isFile()) forgeFs.writeSync(fd, forged, 0);
              } catch (e) {}
            }
            """;

    private static final String JS_FAKES = """
            const fake = '{"ok":true,"value":666,"type":null}';
            console.log("\\u001eexxec-result:" + "A".repeat(24) + ":" + fake);
            console.log("\\u001eexxec-result:" + fake);
            console.log(fake);
            """;

    static LanguagePrograms javascript() {
        return new LanguagePrograms(
                Language.JAVASCRIPT,
                """
                function main() {
                  return { answer: 42, items: [1, 2.5, "x", true, null] };
                }
                """,
                """
                async function main() {
                  await new Promise((resolve) => setTimeout(resolve, 10));
                  return "async-ok";
                }
                """,
                "let _result = [1, 2, 3];\n",
                """
                let _result = "result";
                function main() {
                  return "main";
                }
                """,
                """
                let _result = { small: 7, large: 2 ** 40, negative: -3, float: 1.5 };
                """,
                "let _result = 10n;\n",
                "10n",
                "bigint",
                "const x = 1;\n",
                """
                function check(value) {
                  if (value < 0) {
                    throw new TypeError("bad value");
                  }
                }
                check(-1);
                """,
                "TypeError",
                ":3",
                """
                class QuotaError extends Error {}
                throw new QuotaError("over quota");
                """,
                """
                async function main() {
                  await null;
                  throw new RangeError("out of range");
                }
                """,
                "RangeError",
                "out of range",
                "let x = ;\n",
                """
                console.log("hello");
                let _result = 1;
                """,
                """
                console.error("to-err");
                console.log("to-out");
                """,
                JS_FAKES + "let _result = 1;\n",
                JS_FAKES + "throw new Error(\"after the fakes\");\n",
                JS_FAKES,
                JS_FORGE_FILES + "let _result = 1;\n",
                JS_FORGE_FILES + "process.exit(0);\n",
                """
                // é 😀 中文 in a comment
                const s = "é 😀 中文";
                console.log(s);
                let _result = s;
                """,
                """
                process.stdout.write(Buffer.from([0xff, 0xfe, 0x20, 0x6f, 0x6b, 0x0a]));
                let _result = 1;
                """,
                """
                console.log("bye");
                process.exit(3);
                """,
                """
                console.log("bye");
                process.exit(0);
                throw new Error("not reached");
                """,
                """
                let _result = require("fs").readFileSync(0, "utf8");
                """);
    }

    private static final String TS_FAKES = """
            const fake: string = '{"ok":true,"value":666,"type":null}';
            console.log("\\u001eexxec-result:" + "A".repeat(24) + ":" + fake);
            console.log("\\u001eexxec-result:" + fake);
            console.log(fake);
            """;

    static LanguagePrograms typescript() {
        return new LanguagePrograms(
                Language.TYPESCRIPT,
                """
                interface Answer { answer: number; items: unknown[] }
                function main(): Answer {
                  return { answer: 42, items: [1, 2.5, "x", true, null] };
                }
                """,
                """
                async function main(): Promise<string> {
                  await new Promise<void>((resolve) => setTimeout(resolve, 10));
                  return "async-ok";
                }
                """,
                "let _result: number[] = [1, 2, 3];\n",
                """
                let _result: string = "result";
                function main(): string {
                  return "main";
                }
                """,
                """
                type Numbers = Record<string, number>;
                let _result: Numbers = { small: 7, large: 2 ** 40, negative: -3, float: 1.5 };
                """,
                "let _result: bigint = 10n;\n",
                "10n",
                "bigint",
                "const x: number = 1;\n",
                // The interface vanishes when transpiled: the traceback must name the TypeScript line.
                """
                interface Limits { min: number }
                function check(value: number, limits: Limits): void {
                  if (value < limits.min) throw new TypeError("bad value");
                }
                check(-1, { min: 0 });
                """,
                "TypeError",
                ":3",
                """
                class QuotaError extends Error {}
                throw new QuotaError("over quota");
                """,
                """
                async function main(): Promise<number> {
                  await null;
                  throw new RangeError("out of range");
                }
                """,
                "RangeError",
                "out of range",
                "let x: number = ;\n",
                """
                console.log("hello");
                let _result: number = 1;
                """,
                """
                console.error("to-err");
                console.log("to-out");
                """,
                TS_FAKES + "let _result: number = 1;\n",
                TS_FAKES + "throw new Error(\"after the fakes\");\n",
                TS_FAKES,
                JS_FORGE_FILES + "let _result: number = 1;\n",
                JS_FORGE_FILES + "process.exit(0);\n",
                """
                // é 😀 中文 in a comment
                const s: string = "é 😀 中文";
                console.log(s);
                let _result: string = s;
                """,
                """
                process.stdout.write(Buffer.from([0xff, 0xfe, 0x20, 0x6f, 0x6b, 0x0a]));
                let _result: number = 1;
                """,
                """
                console.log("bye");
                process.exit(3);
                """,
                """
                console.log("bye");
                process.exit(0);
                throw new Error("not reached");
                """,
                """
                let _result: string = require("fs").readFileSync(0, "utf8");
                """);
    }
}
