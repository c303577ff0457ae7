package dev.exxec.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one reader of {@code /proc/PID/stat}: what a process's name cannot fool. */
class ProcessTreeStatTest {
    private static final String TAIL = " 0 0 0 0 0 0 0 0 20 0 1 0 %d 1000 10 18446744073709551615";

    @Test
    void readsParentGroupSessionAndStartTime() {
        ProcessTree.Stat stat =
                ProcessTree.Stat.parse("4242 (python3) S 4200 4242 4100 0 -1 4194560" + TAIL.formatted(777));
        assertThat(stat).isEqualTo(new ProcessTree.Stat(4200, 4242, 4100, 777));
    }

    @Test
    void aNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        ProcessTree.Stat stat =
                ProcessTree.Stat.parse("9 (a) S 1 1 1 0 -1 0) R 5 6 7 0 -1 4194560" + TAIL.formatted(31337));
        assertThat(stat).isEqualTo(new ProcessTree.Stat(5, 6, 7, 31337));
    }

    @Test
    void zombiesDyingProcessesAndGarbageAreNotLiveProcesses() {
        assertThat(ProcessTree.Stat.parse("9 (x) Z 1 9 9 0 -1 0" + TAIL.formatted(5)))
                .isNull();
        assertThat(ProcessTree.Stat.parse("9 (x) X 1 9 9 0 -1 0" + TAIL.formatted(5)))
                .isNull();
        assertThat(ProcessTree.Stat.parse("9 (x) S 1 9")).isNull();
        assertThat(ProcessTree.Stat.parse("no parenthesis at all")).isNull();
        assertThat(ProcessTree.Stat.parse("9 (x) S a b c 0 -1 0" + TAIL.formatted(5)))
                .isNull();
    }

    @Test
    void thisProcessIsReadWithTheStartTimeTheKernelGives() {
        ProcessTree.Stat self = ProcessTree.Stat.of(ProcessHandle.current().pid());
        assertThat(self).isNotNull();
        assertThat(self.parent())
                .isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(ProcessTree.Stat.of(ProcessHandle.current().pid())).isEqualTo(self);
        assertThat(ProcessTree.Stat.of(Long.MAX_VALUE)).isNull();
    }
}
