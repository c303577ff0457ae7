package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.CodeSession;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionResult;
import dev.exxec.Language;
import dev.exxec.UnsupportedCapabilityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sessions ({@code env.session(language)}): globals persist from one call to the next, each call
 * gets its own output, a failed call leaves the session usable, a deadline interrupts the running
 * call and keeps the state, a call that cannot be interrupted costs the state but not the session,
 * and closing ends the interpreter. Where sessions are not declared, asking for one is refused.
 */
abstract class SessionContract extends KitArea {

    SessionContract(EnvironmentFactory factory) {
        super(factory);
    }

    private void assumeSessions(Language language) {
        assumeTrue(caps().sessions(), "the environment does not declare sessions");
        assumeLanguage(language);
    }

    private static ExecutionResult ok(ExecutionResult r) {
        assertThat(r.success()).as(describe(r)).isTrue();
        return r;
    }

    @Test
    void evaluatedInputGivesItsLastValueAndANamedTracebackThatStartsAtIt() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            assertThat(ok(s.evaluate(Code.python("x = 41\n"))).result()).isNull();
            assertThat(ok(s.evaluate(Code.python("x + 1\n"))).result()).isEqualTo(42);
            ExecutionResult r = s.evaluate(Code.python("y = 1\n1/0\n").named("<stdin>"));
            assertThat(r.traceback())
                    .as(describe(r))
                    .startsWith("Traceback (most recent call last):\n  File \"<stdin>\", line 2, in <module>\n")
                    .contains("ZeroDivisionError")
                    .doesNotContain("exxec")
                    .containsOnlyOnce("File ");
            assertThat(ok(s.evaluate(Code.python("y\n"))).result())
                    .as("what ran before the error stays")
                    .isEqualTo(1);
            assertThat(ok(s.execute(Code.python("_result = y"))).result())
                    .as("evaluate and execute share the state")
                    .isEqualTo(1);
            ExecutionResult syntax = s.evaluate(Code.python("if x\n").named("<stdin>"));
            assertThat(syntax.traceback())
                    .as(describe(syntax))
                    .startsWith("  File \"<stdin>\", line 1\n    if x\n")
                    .containsOnlyOnce("SyntaxError");
        }
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ok(s.evaluate(Code.javascript("let x = 41\n")));
            assertThat(ok(s.evaluate(Code.javascript("x + 1\n"))).result())
                    .as("a let binding persists")
                    .isEqualTo(42);
            assertThat(ok(s.evaluate(Code.javascript("Promise.resolve(x * 2)"))).result())
                    .as("a promise is awaited")
                    .isEqualTo(82);
            ExecutionResult r = s.evaluate(Code.javascript("null.y\n").named("<stdin>"));
            assertThat(r.traceback())
                    .as(describe(r))
                    .contains("<stdin>:1")
                    .doesNotContain("<code>")
                    .doesNotContain("javascript_session")
                    .doesNotContain("node:vm");
        }
    }

    /**
     * Hostile review (issue 15): what a program does to its own values and its own realm is its
     * outcome, never the provider's failure. A value whose getter throws and a {@code let} that shadows
     * a global the driver uses made graalvm's execute and evaluate throw.
     */
    @Test
    void aJavaScriptValueWhoseGetterThrowsOrAShadowedGlobalIsTheProgramsOutcome() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ExecutionResult getter = s.evaluate(Code.javascript("({get a() { throw new Error('getter'); }})"));
            assertThat(getter.success()).as(describe(getter)).isTrue();
            ExecutionResult shadow = s.evaluate(Code.javascript("let Object = 1"));
            ExecutionResult after = s.evaluate(Code.javascript("({n: 2 + 2})"));
            assertThat(after).as("%s / %s", describe(shadow), describe(after)).isNotNull();
        }
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            assertThat(ok(s.evaluate(Code.javascript("1 + 1"))).result())
                    .as("a new session is whole")
                    .isEqualTo(2);
        }
    }

    /**
     * Hostile review of the drivers (issue 15): a thrown value whose properties throw when read (an
     * error whose {@code message} getter throws, a Proxy whose every trap throws) is the program's
     * failure, as it is for a one-shot call, and the session keeps its state. (The JavaScript session
     * driver failed while reporting it, and the interpreter ended with the session's state.)
     */
    @Test
    void aJavaScriptErrorWhosePropertiesThrowIsTheProgramsFailureAndTheSessionLives() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ok(s.execute("var kept = 41;"));
            ExecutionResult getter = s.evaluate(Code.javascript(
                    "const e = new Error('m'); Object.defineProperty(e, 'message', {get() { throw new Error('getter'); }});"
                            + " throw e"));
            assertThat(getter.success()).as(describe(getter)).isFalse();
            assertThat(getter.errorType()).as(describe(getter)).isNotEqualTo(ErrorTypes.PROCESS_EXIT);
            ExecutionResult proxy = s.evaluate(Code.javascript(
                    "throw new Proxy({}, {has() { throw 1; }, get() { throw 2; }, getPrototypeOf() { throw 3; }})"));
            assertThat(proxy.success()).as(describe(proxy)).isFalse();
            assertThat(proxy.errorType()).as(describe(proxy)).isNotEqualTo(ErrorTypes.PROCESS_EXIT);
            assertThat(ok(s.evaluate(Code.javascript("kept + 1"))).result())
                    .as("the session's state after both")
                    .isEqualTo(42);
        }
    }

    @Test
    void pythonStatePersistsBetweenCalls() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            assertThat(s.language()).isEqualTo(Language.PYTHON);
            ok(s.execute("x = 1"));
            ok(s.execute("x += 1"));
            assertThat(ok(s.execute("_result = x")).result()).isEqualTo(2);
            ok(s.execute("def double(n):\n    return 2 * n\n"));
            assertThat(ok(s.execute("def main():\n    return double(x)\n")).result())
                    .isEqualTo(4);
            assertThat(ok(s.execute("y = 5")).result())
                    .as("_result is each call's own")
                    .isNull();
        }
    }

    @Test
    void javascriptStatePersistsBetweenCalls() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ok(s.execute("var x = 1; let y = 10;"));
            ok(s.execute("x += 1; y += 1;"));
            assertThat(ok(s.execute("_result = x + y")).result()).isEqualTo(13);
            assertThat(ok(s.execute("async function main() { return await Promise.resolve(x * 100); }"))
                            .result())
                    .isEqualTo(200);
            assertThat(ok(s.execute("_result = x + 1")).result())
                    .as("an earlier call's main is not this call's value (graalvm ran it again)")
                    .isEqualTo(3);
            assertThat(ok(s.execute("y = 5")).result())
                    .as("_result is each call's own")
                    .isNull();
        }
    }

    /**
     * Sixth hostile review (issue 15): an earlier call's promise callbacks are not a later call's
     * outcome. A thenable that keeps its resolvers lets later code call them; on graalvm that wrote
     * over the later call's value or error (a timer's {@code A('STALE')} made {@code _result = 7}
     * report "STALE").
     */
    @Test
    void anEarlierCallsResolversDoNotDecideALaterCall() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            assertThat(ok(s.execute("_result = {then(a, b) { globalThis.A = a; globalThis.B = b; a(1); }};"))
                            .result())
                    .isEqualTo(1);
            assertThat(ok(s.execute("_result = 7; setTimeout(() => A('STALE_TIMER'), 10);"))
                            .result())
                    .as("a timer of this call resolving an earlier call's promise")
                    .isEqualTo(7);
            assertThat(ok(s.execute("_result = Promise.resolve(8);"
                                    + " Promise.resolve().then(() => 0).then(() => 0).then(() => A('STALE_TICK'));"))
                            .result())
                    .as("a promise job of this call resolving an earlier call's promise")
                    .isEqualTo(8);
            assertThat(ok(s.execute("B('STALE_REJECT'); _result = Promise.resolve(9);"
                                    + " setTimeout(() => B(new Error('stale err')), 5);"))
                            .result())
                    .as("an earlier call's promise rejected by this call")
                    .isEqualTo(9);
        }
    }

    /**
     * Seventh hostile review (issue 15): what a failed call leaves (its {@code process.exitCode}, its
     * pending timers and intervals) never decides a later call, and a later call's timers wait only
     * their own delay. On graalvm the next call reported the failed call's exit code, waited for its
     * interval until its deadline, and ran a 100 ms timer after the earlier call's whole wait.
     */
    @Test
    void whatAFailedCallLeftDoesNotDecideALaterCall() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            s.execute("process.exitCode = 5; throw new Error('first')");
            assertThat(ok(s.execute("_result = 2")).result())
                    .as("an exit code a failed call set")
                    .isEqualTo(2);
            s.execute("setTimeout(() => { process.exitCode = 4; }, 50); throw new Error('second')");
            assertThat(ok(s.execute(
                                    "async function main() { await new Promise((r) => setTimeout(r, 200)); return 3; }"))
                            .result())
                    .as("an exit code a failed call's timer sets while a later call runs")
                    .isEqualTo(3);
            s.execute("setInterval(() => {}, 20); throw new Error('third')");
            assertThat(ok(s.execute(Code.javascript("_result = 4").withTimeout(Duration.ofSeconds(20))))
                            .result())
                    .as("an interval a failed call left")
                    .isEqualTo(4);
            ok(s.execute("async function main() { await new Promise((r) => setTimeout(r, 1000)); }"));
            Object waited = ok(s.execute("async function main() { const t = Date.now();"
                            + " await new Promise((r) => setTimeout(r, 100)); return Date.now() - t; }"))
                    .result();
            assertThat(((Number) waited).longValue())
                    .as("a 100 ms timer after an earlier call waited 1000 ms")
                    .isLessThan(800);
        }
    }

    /**
     * Eighth hostile review (issue 15): a timer waits its delay from when it was set, however long the
     * code ran before setting it (graalvm counted from the call's start or its last timer: a 1000 ms
     * timer set after 1500 ms of work fired at once); and an exit or a throw in a job nothing can catch
     * (a microtask, a {@code nextTick}, a promise reaction) ends the call as it ends a Node.js program
     * (graalvm reported a success).
     */
    @Test
    void timersWaitFromWhenTheyWereSetAndUncatchableFailuresEndTheCall() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            Object waited = ok(s.execute(
                            "async function main() { const busy = Date.now() + 800; while (Date.now() < busy) {}"
                                    + " const t = Date.now(); await new Promise((r) => setTimeout(r, 300));"
                                    + " return Date.now() - t; }"))
                    .result();
            assertThat(((Number) waited).longValue())
                    .as("a 300 ms timer set after 800 ms of work")
                    .isGreaterThanOrEqualTo(250);
            ExecutionResult microtask =
                    s.execute("queueMicrotask(() => { throw new Error('in a microtask'); }); _result = 2");
            assertThat(microtask.success()).as(describe(microtask)).isFalse();
            // Named as the call's error, or (where it ends the interpreter, as it ends a Node.js
            // program) on the call's standard error.
            assertThat(microtask.error() + "\n" + microtask.stderr())
                    .as(describe(microtask))
                    .contains("in a microtask");
            ExecutionResult exit = s.execute("Promise.resolve().then(() => process.exit(4)); _result = 3");
            assertThat(exit.success()).as(describe(exit)).isFalse();
            assertThat(exit.exitCode()).as(describe(exit)).isEqualTo(4);
        }
    }

    /**
     * Eighth hostile review (issue 15): what a call's promise jobs do after its value is known (print,
     * reject with nobody to handle it) is that call's, never the next call's. On local a failed call's
     * pending output came out in the next call, and an unhandled rejection ended the next call's
     * interpreter. (Whether the rejecting call fails differs: Node.js ends a program for it, graalvm
     * leaves it alone.)
     */
    @Test
    void aCallsLateJobsAreItsOwn() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ok(s.execute("var kept = 41;"));
            s.execute("Promise.resolve().then(() => console.log('late output')); throw new Error('sync fail')");
            ExecutionResult next = ok(s.execute("console.log('next'); _result = kept + 1"));
            assertThat(next.stdout()).as(describe(next)).isEqualTo("next\n");
            assertThat(next.result()).isEqualTo(42);
            s.execute("Promise.reject(new Error('nobody handles it')); _result = 1");
            ExecutionResult after = ok(s.execute("console.log('after'); _result = 43"));
            assertThat(after.stdout()).as(describe(after)).isEqualTo("after\n");
            assertThat(after.result())
                    .as("the call after an unhandled rejection")
                    .isEqualTo(43);
        }
    }

    /**
     * Closing read (issue 15): a rejection or an uncaught throw whose value cannot be read (a Proxy
     * whose every trap throws) is still the call's failure. graalvm reported both as successes: reading
     * the value threw inside the driver's callback, and nothing settled the call.
     */
    @Test
    void anUnreadableRejectionOrUncaughtThrowIsAFailure() {
        assumeSessions(Language.JAVASCRIPT);
        String proxy = "new Proxy({}, {has() { throw 1; }, get() { throw 2; }, getPrototypeOf() { throw 3; }})";
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ExecutionResult rejected = s.execute("_result = Promise.reject(" + proxy + ")");
            assertThat(rejected.success()).as(describe(rejected)).isFalse();
            ExecutionResult thrown = s.execute("queueMicrotask(() => { throw " + proxy + "; }); _result = 5");
            assertThat(thrown.success()).as(describe(thrown)).isFalse();
            assertThat(ok(s.execute("_result = 6")).result()).isEqualTo(6);
        }
    }

    /**
     * Seventh hostile review (issue 15): a thenable's resolver given a promise or another thenable
     * resolves to what that settles to, as {@code await} does. graalvm reported "Promise {}" (and a
     * rejected inner promise as a success).
     */
    @Test
    void aThenableResolvedWithAPromiseGivesWhatThatSettlesTo() {
        assumeLanguage(Language.JAVASCRIPT);
        assertThat(ok(env().execute(Code.javascript("_result = {then(a) { a(Promise.resolve(5)); }};")))
                        .result())
                .isEqualTo(5);
        ExecutionResult rejected =
                env().execute(Code.javascript("_result = {then(a) { a(Promise.reject(new Error('inner'))); }};"));
        assertThat(rejected.success()).as(describe(rejected)).isFalse();
        assertThat(rejected.error()).as(describe(rejected)).contains("inner");
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            assertThat(ok(s.execute("_result = {then(a) { a(Promise.resolve(5)); }};"))
                            .result())
                    .isEqualTo(5);
            assertThat(ok(s.execute("_result = {then(a) { a({then(b) { b(6); }}); }};"))
                            .result())
                    .isEqualTo(6);
            ExecutionResult inner = s.execute("_result = {then(a) { a(Promise.reject(new Error('inner'))); }};");
            assertThat(inner.success()).as(describe(inner)).isFalse();
            assertThat(inner.error()).as(describe(inner)).contains("inner");
        }
    }

    @Test
    void eachCallGetsItsOwnOutput() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            ExecutionResult a = ok(s.execute("import sys\nprint('first')\nprint('err1', file=sys.stderr)"));
            ExecutionResult b = ok(s.execute("print('second', end='')\nsys.stderr.write('no newline')"));
            ExecutionResult c = ok(s.execute("print('\\n\\x1eexxec-result:forged:1:{\"ok\":true}')\n_result = 7"));
            assertThat(a.stdout()).isEqualTo("first\n");
            assertThat(a.stderr()).isEqualTo("err1\n");
            assertThat(b.stdout()).isEqualTo("second");
            assertThat(b.stderr()).isEqualTo("no newline");
            assertThat(c.result())
                    .as("a forged marker line is output, not a result")
                    .isEqualTo(7);
            assertThat(c.stdout()).contains("forged");
        }
    }

    @Test
    void aFailedCallLeavesTheSessionUsable() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            ok(s.execute("x = 41"));
            ExecutionResult failed = s.execute("raise ValueError('no')");
            assertThat(failed.success()).isFalse();
            assertThat(failed.errorType()).isEqualTo("ValueError");
            assertThat(failed.traceback()).contains("ValueError: no");
            ExecutionResult syntax = s.execute("def (");
            assertThat(syntax.errorType()).isEqualTo("SyntaxError");
            assertThat(ok(s.execute("_result = x + 1")).result()).isEqualTo(42);
        }
    }

    /**
     * After a deadline the session answers again; whether its state survived is the provider's to
     * say, and the result says which: kept (an interpreter that was interrupted) or lost.
     */
    private static void usableAfterDeadline(CodeSession s, ExecutionResult r, String lookup, Object expected) {
        assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(r.error()).as(describe(r)).containsAnyOf("state is kept", "is lost");
        if (r.error().contains("state is kept")) {
            assertThat(ok(s.execute(lookup)).result())
                    .as("the state was said to be kept")
                    .isEqualTo(expected);
        } else {
            assertThat(ok(s.execute("_result = 1")).result()).isEqualTo(1);
        }
    }

    @Test
    void aDeadlineInterruptsAndTheSessionStaysUsable() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            ok(s.execute("x = 'kept'"));
            long start = System.nanoTime();
            ExecutionResult r = s.execute(Code.python("while True:\n    pass\n").withTimeout(Duration.ofSeconds(1)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            usableAfterDeadline(s, r, "_result = x", "kept");
        }
    }

    @Test
    void aJavascriptDeadlineInterruptsSyncAndAsyncCode() {
        assumeSessions(Language.JAVASCRIPT);
        try (CodeSession s = env().session(Language.JAVASCRIPT)) {
            ok(s.execute("var kept = 'yes'"));
            ExecutionResult spin = s.execute(Code.javascript("for (;;) {}").withTimeout(Duration.ofSeconds(1)));
            usableAfterDeadline(s, spin, "_result = kept", "yes");
            ok(s.execute("var kept = 'yes'"));
            ExecutionResult waiting = s.execute(
                    Code.javascript("async function main() { await new Promise((r) => setTimeout(r, 60000)); }")
                            .withTimeout(Duration.ofSeconds(1)));
            usableAfterDeadline(s, waiting, "_result = kept", "yes");
        }
    }

    @Test
    void aCallThatIgnoresTheInterruptCostsTheStateNotTheSession() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            ok(s.execute("x = 1"));
            ExecutionResult r = s.execute(
                    Code.python("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n")
                            .withTimeout(Duration.ofSeconds(1)));
            assertThat(r.errorType()).as(describe(r)).isEqualTo(ErrorTypes.TIMEOUT);
            assertThat(r.error()).contains("is lost");
            ExecutionResult fresh = s.execute("_result = 'x' in globals()");
            assertThat(ok(fresh).result()).as("a new interpreter").isEqualTo(false);
        }
    }

    @Test
    void anInterpreterThatExitsIsReplaced() {
        assumeSessions(Language.PYTHON);
        assumeOwnProcess(); // in a JVM, exiting the interpreter is not the program's to do
        try (CodeSession s = env().session(Language.PYTHON)) {
            ok(s.execute("x = 1"));
            ExecutionResult r = s.execute("import os\nos._exit(3)");
            assertThat(r.success()).isFalse();
            assertThat(r.error()).contains("state is lost");
            assertThat(ok(s.execute("_result = 1 + 1")).result()).isEqualTo(2);
        }
    }

    @Test
    void closingEndsTheInterpreter() {
        assumeSessions(Language.PYTHON);
        assumeOwnProcess();
        CodeSession s = env().session(Language.PYTHON);
        ExecutionResult r = ok(s.execute(Outcomes.PY_PID_REF + "print('pid:self=' + pid_ref(os.getpid()))"));
        var pids = Outcomes.pids(r.stdout());
        s.close();
        Outcomes.awaitGone(probe(), pids.values(), Duration.ofSeconds(10));
        assertThatThrownBy(() -> s.execute("_result = 1")).isInstanceOf(IllegalStateException.class);
        s.close(); // idempotent
    }

    /**
     * {@code close()} always wins over a running call (issue 14): it returns at once, the running
     * call ends with an error that says the session was closed (thrown, or a failed result), and the
     * interpreter is gone. A server closes sessions from other threads: one client's long call must not
     * hold up the close of a session, nor the expiry of another client's.
     */
    @Test
    void closeWinsOverARunningCall() throws Exception {
        assumeSessions(Language.PYTHON);
        CodeSession s = env().session(Language.PYTHON);
        var pids = factory().codeRunsInOwnProcess()
                ? Outcomes.pids(ok(s.execute(Outcomes.PY_PID_REF + "print('pid:self=' + pid_ref(os.getpid()))"))
                                .stdout())
                        .values()
                : List.<ProcessRef>of();
        java.util.concurrent.CompletableFuture<ExecutionResult> call = new java.util.concurrent.CompletableFuture<>();
        Thread caller = Thread.ofPlatform().daemon().start(() -> {
            try {
                call.complete(
                        s.execute(Code.python("import time\ntime.sleep(60)").withTimeout(Duration.ofSeconds(90))));
            } catch (Throwable e) {
                call.completeExceptionally(e);
            }
        });
        Thread.sleep(1000); // the call is running: sleeping in the interpreter
        assertThat(call).as("the call sleeps for a minute").isNotDone();

        long start = System.nanoTime();
        s.close();
        // "at once" against the minute the call would take: 2 s leaves room for a loaded machine
        // (graalvm's synchronous context cancel took 1.3 s on a cold, busy run)
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("close() returned while a call ran")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(caller.join(Duration.ofSeconds(3)))
                .as("the running call ended within 3 s of the close")
                .isTrue();
        try {
            ExecutionResult r = call.get();
            assertThat(r.success()).as(describe(r)).isFalse();
            assertThat(r.error()).as(describe(r)).containsAnyOf("closed", "cancelled");
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RuntimeException.class);
            assertThat(e.getCause().getMessage()).as("the error says why").contains("closed");
        }
        if (!pids.isEmpty()) {
            factory().probe().ifPresent(probe -> Outcomes.awaitGone(probe, pids, Duration.ofSeconds(5)));
        }
        assertThatThrownBy(() -> s.execute("_result = 1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sessionsAreIndependentAndRunInParallel() throws Exception {
        assumeSessions(Language.PYTHON);
        List<CodeSession> sessions = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                sessions.add(env().session(Language.PYTHON));
            }
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < sessions.size(); i++) {
                CodeSession s = sessions.get(i);
                int n = i;
                results.add(threads.submit(() -> {
                    ok(s.execute("n = " + n));
                    for (int k = 0; k < 20; k++) {
                        ok(s.execute("n += 1"));
                    }
                    return ok(s.execute("_result = n")).result();
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i + 20);
            }
        } finally {
            sessions.forEach(CodeSession::close);
        }
    }

    @Test
    void aSessionOfTheWrongLanguageOrKindIsRefused() {
        assumeSessions(Language.PYTHON);
        try (CodeSession s = env().session(Language.PYTHON)) {
            assertThatThrownBy(() -> s.execute(Code.javascript("1"))).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> env().session(Language.TYPESCRIPT)).isInstanceOf(UnsupportedCapabilityException.class);
    }

    @Test
    void sessionsAreRefusedWhereNotDeclared() {
        assumeTrue(!caps().sessions(), "the environment declares sessions");
        assertThatThrownBy(() -> env().session(Language.PYTHON)).isInstanceOf(UnsupportedCapabilityException.class);
    }
}
