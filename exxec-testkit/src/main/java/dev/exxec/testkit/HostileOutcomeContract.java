package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What a program does to its own errors, exit codes and values is its outcome, reported truly: a
 * failure is never reported as a success, and exxec's drivers never crash, hang or lose the program's
 * traceback on what the program hands them (the hostile review at the end of issue 15).
 *
 * <p>Each case runs one-shot and in a session where the environment has sessions: both drivers read
 * the same values.
 */
abstract class HostileOutcomeContract extends KitArea {
    HostileOutcomeContract(EnvironmentFactory factory) {
        super(factory);
    }

    /** Runs {@code check} on a one-shot call of {@code source}, then on the same call in a session. */
    private void bothWays(Language language, String source, Function<ExecutionResult, ?> check) {
        bothWays(
                language,
                source,
                check,
                language == Language.PYTHON
                        ? "_result = 6 * 7"
                        // the realm is the program's: what it put there, it takes away
                        : "delete Object.prototype.toJSON; _result = 6 * 7");
    }

    /**
     * Runs {@code check} on a one-shot call of {@code source}, then on the same call in a session,
     * whose next call, {@code after}, must give 42: the session lives on whatever the program did to
     * its realm's built-ins, since the drivers read requests and write records with their own.
     */
    private void bothWays(Language language, String source, Function<ExecutionResult, ?> check, String after) {
        assumeLanguage(language);
        check.apply(env().execute(Code.of(language, source)));
        if (caps().sessions()) {
            try (CodeSession s = env().session(language)) {
                check.apply(s.execute(Code.of(language, source)));
                ExecutionResult next = s.execute(Code.of(language, after));
                assertThat(next.result())
                        .as("the session after it: %s", describe(next))
                        .isEqualTo(42);
            }
        }
    }

    private void assumeSessions(Language language) {
        assumeTrue(caps().sessions(), "the environment does not declare sessions");
        assumeLanguage(language);
    }

    private static ExecutionResult notForged(ExecutionResult r) {
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.result()).as(describe(r)).isNotEqualTo("forged");
        assertThat(r.stoppedBy()).as(describe(r)).isNull();
        return r;
    }

    private static ExecutionResult theProgramsFailure(ExecutionResult r, String errorType) {
        assertThat(r.success()).as(describe(r)).isFalse();
        assertThat(r.errorType()).as(describe(r)).isEqualTo(errorType);
        assertThat(r.stoppedBy()).as(describe(r)).isNull();
        return r;
    }

    /**
     * F3: a {@code SystemExit} whose code's {@code __eq__} and {@code __str__} raise is the program's
     * failure with status 1; an {@code int} subclass that does the same exits with its value. (The
     * one-shot driver compared the code with {@code ==} and crashed: "exited before reporting a
     * result".) So are a code too long to write as digits and a subclass whose {@code code} property
     * raises: the interpreter reads SystemExit's own field.
     */
    @Test
    void aSystemExitWhoseCodeRefusesToBeReadIsTheProgramsFailure() {
        String refusing = """
                class Refusing:
                    def __eq__(self, other): raise RuntimeError("eq refused")
                    def __str__(self): raise RuntimeError("str refused")
                raise SystemExit(Refusing())
                """;
        bothWays(Language.PYTHON, refusing, r -> {
            theProgramsFailure(r, "SystemExit");
            assertThat(r.error()).as(describe(r)).contains("Refusing object");
            return r;
        });
        String refusingInt = """
                class Three(int):
                    def __eq__(self, other): raise RuntimeError("eq refused")
                    def __str__(self): raise RuntimeError("str refused")
                raise SystemExit(Three(3))
                """;
        bothWays(
                Language.PYTHON,
                refusingInt,
                r -> assertThat(theProgramsFailure(r, "SystemExit").error())
                        .as(describe(r))
                        .isEqualTo("3"));
        ExecutionResult three = env().execute(Code.python(refusingInt));
        assertThat(three.exitCode()).as(describe(three)).isEqualTo(3);
        bothWays(
                Language.PYTHON,
                "import sys\nsys.exit(10 ** 5000)\n",
                r -> assertThat(theProgramsFailure(r, "SystemExit").error())
                        .as(describe(r))
                        .contains("bits"));
        String property = """
                class Bye(SystemExit):
                    @property
                    def code(self):
                        raise RuntimeError("no code for you")
                raise Bye(3)
                """;
        bothWays(
                Language.PYTHON,
                property,
                r -> assertThat(theProgramsFailure(r, "SystemExit").error())
                        .as(describe(r))
                        .isEqualTo("3"));
    }

    /**
     * F5: an exception whose metaclass refuses every attribute (the standard library's formatting
     * reads {@code __module__} and {@code __qualname__}) and whose {@code __str__} returns no text
     * keeps its traceback: the program's frames, its line, its type. (The traceback was lost whole:
     * "traceback unavailable".)
     */
    @Test
    void anExceptionWhoseClassRefusesItsNamesKeepsItsTraceback() {
        String source = """
                class Opaque(type):
                    def __getattribute__(cls, name):
                        raise RuntimeError("no " + name)

                class Refused(Exception, metaclass=Opaque):
                    def __str__(self):
                        return 1

                def inner():
                    raise Refused("why")

                def main():
                    inner()
                """;
        bothWays(Language.PYTHON, source, r -> {
            theProgramsFailure(r, "Refused");
            assertThat(r.traceback())
                    .as(describe(r))
                    .isNotNull()
                    .contains("line 10, in inner")
                    .contains("Refused")
                    .doesNotContain("unavailable");
            return r;
        });
    }

    /**
     * F1 and F2: a JavaScript program whose record the driver cannot write as JSON (its text would
     * pass V8's longest string, or the program made every object's {@code toJSON} throw) is never a
     * success: a thrown error stays the program's failure, with its type and message, and a value that
     * cannot be reported is an error, never another value; a {@code toJSON} on {@code Object.prototype}
     * never stands for the whole record, and the built-ins the driver writes with are its own. (The session driver reported a thrown error as a success and
     * dropped its outputs; the one-shot driver spun until the deadline on a long message.)
     *
     * <p>Where the record is too large for V8, the driver takes the same path as here; that case needs
     * hundreds of megabytes and is left to the drivers' own review.
     */
    @Test
    void aJavaScriptRecordThatJsonCannotCarryIsNeverASuccess() {
        String broken = "Object.prototype.toJSON = function () { throw new RangeError('no JSON here'); };\n";
        bothWays(Language.JAVASCRIPT, broken + "throw new TypeError('the real failure');", r -> {
            theProgramsFailure(r, "TypeError");
            assertThat(r.error()).as(describe(r)).contains("the real failure");
            return r;
        });
        String forging = "Object.prototype.toJSON = function () { return {ok: true, value: 'forged', type: null}; };\n";
        bothWays(Language.JAVASCRIPT, forging + "throw new TypeError('the real failure');", r -> {
            theProgramsFailure(r, "TypeError");
            assertThat(r.error()).as(describe(r)).contains("the real failure");
            return r;
        });
        String nothing = "Object.prototype.toJSON = function () { return undefined; };\n";
        bothWays(Language.JAVASCRIPT, nothing + "throw new TypeError('the real failure');", r -> {
            theProgramsFailure(r, "TypeError");
            return r;
        });
        String builtIns = "Object.prototype.toJSON = function () { throw 1; };"
                + " String.prototype.slice = function () { throw 2; };\n";
        // The driver reads the thrown error with the realm's own string methods; what it writes with
        // is its own. Reading may fail (its type is then lost), writing never turns it into a success.
        bothWays(Language.JAVASCRIPT, builtIns + "throw new RangeError('m'.repeat(5000));", r -> {
            assertThat(r.success()).as(describe(r)).isFalse();
            assertThat(r.errorType()).as(describe(r)).isNotEqualTo(ErrorTypes.PROCESS_EXIT);
            return r;
        });
        bothWays(Language.JAVASCRIPT, broken + "_result = 1;", r -> {
            if (r.success()) { // a provider that reads values without JSON (graalvm)
                assertThat(r.result()).as(describe(r)).isEqualTo(1);
            } else {
                assertThat(r.error())
                        .as(describe(r))
                        .contains("could not be reported")
                        .contains("no JSON here");
            }
            return r;
        });
    }

    /**
     * F2: a long error message (and so a long stack) is reported in time: the drivers' rewriting of
     * the program's file names in it is linear, where a backtracking pattern took seconds for 30,000
     * characters and minutes for a million.
     */
    @Test
    void aLongErrorMessageIsReportedInTime() {
        bothWays(Language.JAVASCRIPT, "throw new Error('x'.repeat(1 << 20) + '.exxec-code-x');", r -> {
            theProgramsFailure(r, "Error");
            assertThat(r.error()).as(describe(r)).hasSize((1 << 20) + ".exxec-code-x".length());
            return r;
        });
    }

    /**
     * Third attack: in a JavaScript session, a setter for {@code outputs} on {@code Object.prototype}
     * received the failure's record when the call had displayed something, and rewrote it as a
     * success; the record's fields are now its own from the start. In Python, a program that replaces
     * {@code open} (which loaded the error formatting) or {@code json.dumps} (which quoted the
     * session's texts) changes neither how its failure is read nor how it is written.
     */
    @Test
    void whatAProgramPutsInTheRealmNeverRewritesItsRecord() {
        String setter = """
                Object.defineProperty(Object.prototype, 'outputs', {configurable: true, set(v) {
                  if (this && this.ok === false) {
                    this.ok = true; this.value = 'forged'; this.type = null;
                    delete this.error; delete this.errorType; delete this.traceback;
                  }
                  Object.defineProperty(this, 'outputs', {value: v, enumerable: true, writable: true, configurable: true});
                }});
                if (typeof display === 'function') display('shown');
                throw new TypeError('the real failure');
                """;
        bothWays(
                Language.JAVASCRIPT,
                setter,
                r -> {
                    theProgramsFailure(r, "TypeError");
                    assertThat(r.error()).as(describe(r)).contains("the real failure");
                    return r;
                },
                "delete Object.prototype.outputs; _result = 6 * 7");
        String open = """
                import builtins, io
                real_open = builtins.open
                def fake(path, *args, **kwargs):
                    if str(path).endswith(".py"):
                        return io.BytesIO(b"def error_record(*a, **k):\\n    return '{\\"ok\\":true,\\"value\\":\\"forged\\",\\"type\\":null}'\\n")
                    return real_open(path, *args, **kwargs)
                builtins.open = fake
                raise ValueError("the real failure")
                """;
        bothWays(
                Language.PYTHON,
                open,
                r -> {
                    theProgramsFailure(r, "ValueError");
                    assertThat(r.error()).as(describe(r)).isEqualTo("the real failure");
                    return r;
                },
                "import builtins; builtins.open = real_open; _result = 6 * 7");
        String dumps = """
                import json
                json.dumps = lambda *a, **k: '"x","ok":true,"value":"forged","type":null,"q":"'
                json.encoder.encode_basestring = json.encoder.encode_basestring_ascii = json.dumps
                raise ValueError("the real failure \\ud800")
                """;
        bothWays(Language.PYTHON, dumps, r -> {
            theProgramsFailure(r, "ValueError");
            assertThat(r.error()).as(describe(r)).startsWith("the real failure");
            return r;
        });
        String names = """
                import builtins
                real = builtins.repr, builtins.str
                builtins.repr = builtins.str = lambda *a, **k: 'x", "ok": true, "value": "forged'
                raise ValueError("the real failure")
                """;
        bothWays(
                Language.PYTHON,
                names,
                HostileOutcomeContract::notForged,
                "import builtins; builtins.repr, builtins.str = real; _result = 6 * 7");
    }

    /**
     * Third attack: a JavaScript program that replaces the realm's string, array, buffer and regular
     * expression methods still fails as itself, with its type and message, and its session answers the
     * next call: the drivers read requests and clean stacks with built-ins taken before any program
     * ran. (The one-shot driver crashed, exit 7, when {@code replace} returned no text; the session
     * driver refused its next request as malformed, and its state was lost, when {@code split} or
     * {@code Buffer.prototype.toString} was replaced.)
     */
    @Test
    void aJavaScriptProgramThatReplacesTheRealmsMethodsFailsAsItself() {
        String[] replacements = {
            "String.prototype.replace = function () { return {toJSON() { return 'x'; }}; };",
            "String.prototype.split = function () { return ['x']; };",
            "String.prototype.indexOf = function () { return 0; };",
            "String.prototype.slice = String.prototype.substring = function () { throw new Error('no slice'); };",
            "String.prototype[Symbol.split] = function () { throw new Error('no split'); };",
            "RegExp.prototype.exec = function () { return null; };"
                    + " RegExp.prototype[Symbol.replace] = function () { return 1; };",
            "Array.prototype.filter = Array.prototype.join = Array.prototype.map = Array.prototype.some"
                    + " = Array.prototype.forEach = Array.prototype.slice = function () { throw new Error('no arrays'); };",
            "Object.defineProperty(Array.prototype, '0', {set(v) { throw new Error('no index'); }, configurable: true});",
            "Buffer.prototype.toString = function () { return 'zz'; };"
                    + " Buffer.prototype.utf8Slice = function () { return 'zz'; };",
            "Buffer.concat = function () { throw new Error('no concat'); };"
                    + " Uint8Array.prototype.indexOf = function () { return -1; };",
            "Object.fromEntries = function () { return {}; }; globalThis.Number = function () { return 0; };",
            "try { require('node:vm').runInThisContext = function () { throw new Error('no vm'); };"
                    + " require('node:fs').readSync = function () { return 0; }; } catch (e) { /* no Node.js */ }",
            // fourth attack: what the one-shot driver read the program's main and value with
            "Array.prototype[Symbol.iterator] = function* () { yield undefined; yield 'forged'; };",
            "Array.prototype.then = function (ok) { ok([undefined, 'forged']); };",
            "Object.defineProperty(Promise.prototype, 'constructor', {value: function () {}, configurable: true});"
                    + " Promise.prototype.then = function (ok) { ok({__proto__: null, result: 'forged'}); };",
        };
        String[] failures = {
            "\nthrow new RangeError('the real failure');",
            "\nfunction main() { throw new RangeError('the real failure'); }",
        };
        for (String replacement : replacements) {
            for (String failure : failures) {
                bothWays(
                        Language.JAVASCRIPT,
                        replacement + failure,
                        r -> {
                            theProgramsFailure(r, "RangeError");
                            assertThat(r.error()).as(describe(r)).isEqualTo("the real failure");
                            return r;
                        },
                        "_result = 6 * 7");
            }
        }
        // Where the drivers write: descriptors of their own where the system lets them open standard
        // output again; where it does not (a sandbox's pipes belong to another user), a program that
        // closes its standard output ends its own call, as an exit would, and never as a success.
        for (String failure : failures) {
            bothWays(
                    Language.JAVASCRIPT,
                    "if (typeof require === 'function') { require('fs').closeSync(1); require('fs').closeSync(2); }"
                            + failure,
                    HostileOutcomeContract::notForged,
                    "_result = 6 * 7");
        }
    }

    /**
     * Fourth attack: a value is reported as it is, whatever the program says of its realm's types: a
     * {@code Map[Symbol.hasInstance]} that claimed every value made a number its text.
     */
    @Test
    void aValueIsReportedAsItIsWhateverTheRealmSaysOfItsTypes() {
        bothWays(
                Language.JAVASCRIPT,
                "for (const type of [Map, Set, Date, Error]) {"
                        + " Object.defineProperty(type, Symbol.hasInstance, {value: () => true, configurable: true}); }"
                        + " _result = {n: 42, list: [1, 2]};",
                r -> {
                    assertThat(r.success()).as(describe(r)).isTrue();
                    assertThat(r.result()).as(describe(r)).isEqualTo(Map.of("n", 42, "list", List.of(1, 2)));
                    return r;
                },
                "_result = 6 * 7");
    }

    /**
     * Fourth attack: an exception whose {@code __traceback__} property gives a traceback that is its
     * own {@code tb_next} is read by its real traceback; the drivers walked the fake one until the
     * deadline (and in a session, with the interrupt ignored while the driver reports, lost the state).
     */
    @Test
    void anExceptionThatLiesAboutItsTracebackIsReadByItsOwn() {
        String source = """
                class Loop:
                    tb_lineno = 1
                    tb_lasti = 0
                    @property
                    def tb_next(self): return self
                    @property
                    def tb_frame(self): raise RuntimeError("no frame")
                class Lying(Exception):
                    @property
                    def __traceback__(self): return Loop()
                raise Lying("the real failure")
                """;
        bothWays(Language.PYTHON, source, r -> {
            theProgramsFailure(r, "Lying");
            assertThat(r.error()).as(describe(r)).isEqualTo("the real failure");
            assertThat(r.traceback()).as(describe(r)).contains("line 11");
            return r;
        });
    }

    /**
     * Fifth attack: a session reads each request with views it makes itself; a species constructor a
     * call put on {@code Uint8Array.prototype} chose the source the driver decoded for the next call
     * (its failure ran as {@code _result = 'forged'}).
     */
    @Test
    void aSessionReadsTheNextRequestAsItWasSent() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            s.execute(Code.javascript("""
                    const forged = Uint8Array.from("_result = 'forged'", (c) => c.charCodeAt(0));
                    function Fake(buffer, offset, length) {
                      const real = new Uint8Array(buffer, offset, length);
                      return real.length > 10 ? forged : real;
                    }
                    Object.defineProperty(Uint8Array.prototype, 'constructor',
                      {value: {[Symbol.species]: Fake}, configurable: true, writable: true});
                    """));
            theProgramsFailure(s.execute(Code.javascript("throw new RangeError('the real failure');")), "RangeError");
        }
    }

    /**
     * Fifth attack: a session call whose value never settles is never reported with an earlier call's
     * outcome (graalvm's driver kept the last call's).
     */
    @Test
    void aCallThatNeverSettlesIsNeverAnEarlierCallsOutcome() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            s.execute(Code.javascript("_result = 'one';"));
            ExecutionResult never = s.execute(Code.javascript("async function main() { await new Promise(() => {}); }")
                    .withTimeout(Duration.ofSeconds(2)));
            assertThat(never.result()).as(describe(never)).isNotEqualTo("one");
            s.execute(Code.javascript("throw new Error('the first failure');"));
            never = s.execute(
                    Code.javascript("_result = new Promise(() => {});").withTimeout(Duration.ofSeconds(2)));
            assertThat(String.valueOf(never.error())).as(describe(never)).doesNotContain("the first failure");
        }
    }

    /**
     * Fifth attack: a timer's delay is taken as Node.js takes it: a fraction is cut to whole
     * milliseconds, and one past 2^31 - 1 (Infinity) is 1. (On graalvm, {@code setTimeout(f, 1.5)}
     * failed the provider itself.)
     */
    @Test
    void timersTakeAnyDelayAsNodeDoes() {
        bothWays(
                Language.JAVASCRIPT,
                """
                async function main() {
                  const a = await new Promise((r) => setTimeout(() => r('a'), 1.5));
                  const b = await new Promise((r) => setTimeout(() => r('b'), Infinity));
                  return a + b;
                }
                """,
                r -> assertThat(r.result()).as(describe(r)).isEqualTo("ab"),
                "_result = 6 * 7");
    }
}
