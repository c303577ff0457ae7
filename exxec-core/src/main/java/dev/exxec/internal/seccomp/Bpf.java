package dev.exxec.internal.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF program for seccomp, written with labels and assembled into {@code struct
 * sock_filter[]}. Conditional jumps reach at most 255 instructions ahead; the assembler turns one
 * that must go further into a conditional jump over two unconditional ones ({@code JA}, 32-bit
 * offsets), so that the code that writes a program never counts instructions.
 *
 * <p>Not thread-safe; one program per compilation.
 */
public final class Bpf {
    /** {@code BPF_LD | BPF_W | BPF_ABS}: A = 32 bits of {@code seccomp_data} at k. */
    public static final int LD_W_ABS = 0x20;
    /** {@code BPF_ALU | BPF_AND | BPF_K}: A &= k. */
    public static final int AND_K = 0x54;
    /** {@code BPF_JMP | BPF_JA}: pc += k. */
    public static final int JA = 0x05;
    /** {@code BPF_JMP | BPF_JEQ | BPF_K}. */
    public static final int JEQ_K = 0x15;
    /** {@code BPF_JMP | BPF_JGT | BPF_K}. */
    public static final int JGT_K = 0x25;
    /** {@code BPF_JMP | BPF_JGE | BPF_K}. */
    public static final int JGE_K = 0x35;
    /** {@code BPF_JMP | BPF_JSET | BPF_K}. */
    public static final int JSET_K = 0x45;
    /** {@code BPF_RET | BPF_K}. */
    public static final int RET_K = 0x06;

    /** {@code SECCOMP_RET_KILL_PROCESS} (Linux 4.14). */
    public static final int RET_KILL_PROCESS = 0x80000000;
    /** {@code SECCOMP_RET_ERRNO}, the errno in the low 16 bits. */
    public static final int RET_ERRNO = 0x00050000;
    /** {@code SECCOMP_RET_ALLOW}. */
    public static final int RET_ALLOW = 0x7fff0000;

    /** {@code offsetof(struct seccomp_data, nr)}. */
    public static final int NR = 0;
    /** {@code offsetof(struct seccomp_data, arch)}. */
    public static final int ARCH = 4;
    /** {@code BPF_MAXINSNS}: the kernel refuses longer programs. */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** The size of one {@code struct sock_filter}. */
    public static final int INSTRUCTION_BYTES = 8;

    /** Offset of the low 32 bits of argument {@code i} (both supported architectures are little-endian). */
    public static int argLow(int i) {
        return 16 + 8 * i;
    }

    /** Offset of the high 32 bits of argument {@code i}. */
    public static int argHigh(int i) {
        return 20 + 8 * i;
    }

    /** A place in the program, marked once, jumped to from before it. */
    public static final class Label {}

    private sealed interface Item {}

    private record Statement(int code, int k) implements Item {}

    private record Jump(int code, int k, Label ifTrue, Label ifFalse) implements Item {}

    private record Goto(Label target) implements Item {}

    private record Mark(Label label) implements Item {}

    private final List<Item> items = new ArrayList<>();

    /** A new label, to be marked later with {@link #mark}. */
    public Label label() {
        return new Label();
    }

    /** The next instruction is {@code label}'s. */
    public Bpf mark(Label label) {
        items.add(new Mark(label));
        return this;
    }

    /** A = the 32-bit word of {@code seccomp_data} at {@code offset}. */
    public Bpf load(int offset) {
        items.add(new Statement(LD_W_ABS, offset));
        return this;
    }

    /** A &= {@code mask}. */
    public Bpf and(int mask) {
        items.add(new Statement(AND_K, mask));
        return this;
    }

    /** Returns {@code verdict} to the kernel. */
    public Bpf ret(int verdict) {
        items.add(new Statement(RET_K, verdict));
        return this;
    }

    /** To {@code ifTrue} when the comparison {@code code} of A with {@code k} holds, else to {@code ifFalse}. */
    public Bpf jump(int code, int k, Label ifTrue, Label ifFalse) {
        items.add(new Jump(code, k, ifTrue, ifFalse));
        return this;
    }

    /** To {@code target}, unconditionally. */
    public Bpf jump(Label target) {
        items.add(new Goto(target));
        return this;
    }

    /**
     * The program as {@code struct sock_filter[]} in little-endian order (that of both supported
     * architectures): {@code u16 code, u8 jt, u8 jf, u32 k} per instruction.
     *
     * @throws IllegalStateException when a label is jumped to but never marked, marked twice, lies
     *     behind its jump, or the program is longer than the kernel takes
     */
    public byte[] assemble() {
        boolean[] far = new boolean[items.size()];
        int[] address = new int[items.size()];
        Map<Label, Integer> labels = new HashMap<>();
        boolean changed = true;
        while (changed) {
            // A jump made far only grows the program, so this ends: at worst every jump is far.
            labels.clear();
            int pc = 0;
            for (int i = 0; i < items.size(); i++) {
                address[i] = pc;
                switch (items.get(i)) {
                    case Mark m -> {
                        if (labels.put(m.label(), pc) != null) {
                            throw new IllegalStateException("a label is marked twice");
                        }
                    }
                    case Jump j -> pc += far[i] ? 3 : 1;
                    case Statement s -> pc++;
                    case Goto g -> pc++;
                }
            }
            changed = false;
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof Jump j && !far[i]) {
                    int next = address[i] + 1;
                    if (offset(labels, j.ifTrue(), next) > 255 || offset(labels, j.ifFalse(), next) > 255) {
                        far[i] = true;
                        changed = true;
                    }
                }
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            switch (items.get(i)) {
                case Mark m -> {}
                case Statement s -> out.add(new int[] {s.code(), 0, 0, s.k()});
                case Goto g -> out.add(new int[] {JA, 0, 0, offset(labels, g.target(), address[i] + 1)});
                case Jump j -> {
                    if (far[i]) {
                        // true: the next instruction, a JA to ifTrue; false: the one after, a JA to ifFalse
                        out.add(new int[] {j.code(), 0, 1, j.k()});
                        out.add(new int[] {JA, 0, 0, offset(labels, j.ifTrue(), address[i] + 2)});
                        out.add(new int[] {JA, 0, 0, offset(labels, j.ifFalse(), address[i] + 3)});
                    } else {
                        int next = address[i] + 1;
                        out.add(new int[] {
                            j.code(), offset(labels, j.ifTrue(), next), offset(labels, j.ifFalse(), next), j.k()
                        });
                    }
                }
            }
        }
        if (out.isEmpty() || out.size() > MAX_INSTRUCTIONS) {
            throw new IllegalStateException(
                    "a seccomp program has 1 to " + MAX_INSTRUCTIONS + " instructions, not " + out.size());
        }
        ByteBuffer bytes = ByteBuffer.allocate(out.size() * INSTRUCTION_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] insn : out) {
            bytes.putShort((short) insn[0])
                    .put((byte) insn[1])
                    .put((byte) insn[2])
                    .putInt(insn[3]);
        }
        return bytes.array();
    }

    private static int offset(Map<Label, Integer> labels, Label target, int next) {
        Integer at = labels.get(target);
        if (at == null) {
            throw new IllegalStateException("a jump goes to a label that is never marked");
        }
        if (at < next) {
            throw new IllegalStateException("classic BPF jumps forward only");
        }
        return at - next;
    }
}
