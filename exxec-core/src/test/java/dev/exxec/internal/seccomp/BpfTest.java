package dev.exxec.internal.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.exxec.internal.seccomp.Bpf.Label;
import org.junit.jupiter.api.Test;

/** The assembler: labels resolved, conditional jumps beyond 255 instructions made through JA. */
class BpfTest {

    /** A jump whose both targets lie {@code distance} returns ahead. */
    private static byte[] jumpOver(int distance) {
        Bpf bpf = new Bpf();
        Label big = bpf.label();
        Label small = bpf.label();
        Label filler = bpf.label();
        bpf.load(Bpf.NR).jump(Bpf.JGE_K, 100, big, filler);
        bpf.mark(filler);
        for (int i = 0; i < distance; i++) {
            bpf.ret(Bpf.RET_ERRNO | 99);
        }
        bpf.mark(small).ret(Bpf.RET_ERRNO | 1);
        bpf.mark(big).ret(Bpf.RET_ALLOW);
        return bpf.assemble();
    }

    @Test
    void nearJumpsAreOneInstruction() {
        byte[] program = jumpOver(10);
        assertThat(program).hasSize((1 + 1 + 10 + 2) * 8);
        BpfInterpreter run = new BpfInterpreter(program);
        assertThat(run.run(0, 100).verdict()).isEqualTo(Bpf.RET_ALLOW);
        assertThat(run.run(0, 99).verdict()).isEqualTo(Bpf.RET_ERRNO | 99);
    }

    @Test
    void farJumpsGoThroughTrampolines() {
        byte[] program = jumpOver(300);
        assertThat(program).hasSize((1 + 3 + 300 + 2) * 8); // the jump became JEQ + two JA
        BpfInterpreter run = new BpfInterpreter(program);
        assertThat(run.run(0, 100).verdict()).isEqualTo(Bpf.RET_ALLOW);
        assertThat(run.run(0, 0xffffffff).verdict()).isEqualTo(Bpf.RET_ALLOW);
        assertThat(run.run(0, 99).verdict()).isEqualTo(Bpf.RET_ERRNO | 99);
    }

    @Test
    void aJumpJustInReachStaysNear() {
        // 254 fillers and the small return: the big return is 255 ahead, the farthest a jt can go.
        assertThat(jumpOver(254)).hasSize((1 + 1 + 254 + 2) * 8);
        assertThat(jumpOver(255)).hasSize((1 + 3 + 255 + 2) * 8);
        assertThat(new BpfInterpreter(jumpOver(255)).run(0, 100).verdict()).isEqualTo(Bpf.RET_ALLOW);
    }

    @Test
    void refusesUnmarkedAndBackwardLabels() {
        Bpf unmarked = new Bpf();
        unmarked.jump(unmarked.label()).ret(0);
        assertThatThrownBy(unmarked::assemble).hasMessageContaining("never marked");

        Bpf backward = new Bpf();
        Label top = backward.label();
        backward.mark(top).load(Bpf.NR).jump(top).ret(0);
        assertThatThrownBy(backward::assemble).hasMessageContaining("forward");
    }

    @Test
    void refusesProgramsTheKernelWouldNot() {
        Bpf huge = new Bpf();
        for (int i = 0; i <= Bpf.MAX_INSTRUCTIONS; i++) {
            huge.ret(0);
        }
        assertThatThrownBy(huge::assemble).hasMessageContaining("4096");
    }
}
