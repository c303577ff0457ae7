package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exxec.ExxecException;
import dev.exxec.Terminal;
import dev.exxec.TerminalSize;
import dev.exxec.TerminalSpec;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Terminals: a shell on a pseudo-terminal that takes typed input, shows its output, follows a
 * resize, runs a given command, and ends when killed.
 */
abstract class TerminalContract extends KitArea {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final TerminalSize SIZE = TerminalSize.of(80, 24);

    TerminalContract(EnvironmentFactory factory) {
        super(factory);
    }

    @BeforeAll
    final void requireTerminals() {
        assumeTrue(caps().terminals(), "the environment does not declare terminals");
    }

    @Test
    void shellRunsWhatIsTyped() {
        try (Terminal t = env().terminals().open(SIZE)) {
            assertThat(t.isAlive()).isTrue();
            t.write("echo hi-$((1+2))\n");
            // The echo of the typed line shows "hi-$((1+2))"; only the shell's output shows "hi-3".
            assertThat(t.readUntil("hi-3", WAIT)).contains("hi-3");
        }
    }

    @Test
    void sizeIsTheRequestedOne() {
        try (Terminal t = env().terminals().open(SIZE)) {
            assertThat(t.size()).isEqualTo(SIZE);
            t.write("stty size\n");
            t.readUntil("24 80", WAIT);
        }
    }

    @Test
    void resizeReachesTheProgram() {
        try (Terminal t = env().terminals().open(SIZE)) {
            TerminalSize bigger = TerminalSize.of(100, 30);
            t.resize(bigger);
            assertThat(t.size()).isEqualTo(bigger);
            t.write("stty size\n");
            t.readUntil("30 100", WAIT);
        }
    }

    @Test
    void commandRunsAndItsExitCodeIsKept() throws InterruptedException {
        try (Terminal t = env().terminals().open(TerminalSpec.of(SIZE).withCommand("echo from-$((6*7)); exit 5"))) {
            t.readUntil("from-42", WAIT);
            assertThat(t.waitFor(WAIT)).isEqualTo(OptionalInt.of(5));
            assertThat(t.isAlive()).isFalse();
        }
    }

    @Test
    void envAndCwdOfTheSpecAreHonoured() {
        if (caps().files()) {
            env().files().mkdir("term-cwd");
        } else {
            env().executeCommand("mkdir -p term-cwd");
        }
        TerminalSpec spec = TerminalSpec.of(SIZE)
                .withCommand("echo \"var=$KIT_TERM_VAR\"; echo \"dir=$(pwd)\"; echo \"term=$TERM\"")
                .withCwd("term-cwd")
                .withEnv("KIT_TERM_VAR", "tv");
        try (Terminal t = env().terminals().open(spec)) {
            String shown = t.readUntil("term=", WAIT) + t.readUntil("\n", WAIT);
            assertThat(shown)
                    .contains("var=tv")
                    .containsPattern("dir=/\\S*/term-cwd")
                    .contains("term=xterm-256color");
        }
    }

    @Test
    void killEndsItAndItLeavesTheList() throws InterruptedException {
        Terminal t = env().terminals().open(SIZE);
        assertThat(env().terminals().list()).extracting(Terminal::id).contains(t.id());
        t.write("echo ready\n");
        t.readUntil("ready", WAIT);
        t.kill();
        assertThat(t.isAlive()).isFalse();
        assertThat(t.waitFor(WAIT)).isPresent();
        assertThat(env().terminals().list()).extracting(Terminal::id).doesNotContain(t.id());
        t.kill(); // idempotent
    }

    @Test
    void killEndsWhatRunsOnIt() {
        HostProbe probe = probe();
        Terminal t = env().terminals().open(SIZE);
        // printf, so that the echo of the typed line does not already read "pid:shell=".
        t.write(Outcomes.SH_NS + "sleep 300 & printf 'pid:%s=%s:%s\\n' bg \"$ns\" $! shell \"$ns\" $$\n");
        String shown = t.readUntil("pid:shell=", WAIT) + t.readUntil("\n", WAIT);
        Map<String, ProcessRef> pids = Outcomes.pids(shown.replace("\r\n", "\n"));
        assertThat(pids).as(shown).containsKeys("bg", "shell");
        t.kill();
        Outcomes.awaitGone(probe, pids.values(), Duration.ofSeconds(3));
    }

    @Test
    void readUntilFailsWhenTheTextDoesNotCome() {
        try (Terminal t = env().terminals().open(SIZE)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> t.readUntil("exxec-kit-never-printed", Duration.ofMillis(500)))
                    .isInstanceOf(ExxecException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
