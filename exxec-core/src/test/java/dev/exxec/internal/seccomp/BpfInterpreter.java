package dev.exxec.internal.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a seccomp program as the kernel would, on one {@code struct seccomp_data}: the test's stand-in
 * for the kernel, which is asked separately (the kernel tests) whether it agrees. It accepts only what
 * the kernel's checker accepts of the instructions exxec emits (word loads inside {@code seccomp_data}
 * at aligned offsets, forward jumps inside the program, a return last) and refuses any other opcode.
 */
final class BpfInterpreter {
    /** {@code sizeof(struct seccomp_data)}. */
    private static final int DATA_BYTES = 64;

    /** One run's answer and how many instructions it took. */
    record Run(int verdict, int steps) {
        int action() {
            return verdict & 0xffff0000;
        }

        int data() {
            return verdict & 0xffff;
        }
    }

    private final short[] code;
    private final int[] jt;
    private final int[] jf;
    private final int[] k;

    BpfInterpreter(byte[] program) {
        if (program.length == 0 || program.length % 8 != 0 || program.length / 8 > Bpf.MAX_INSTRUCTIONS) {
            throw new AssertionError("not a seccomp program: " + program.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int n = program.length / 8;
        code = new short[n];
        jt = new int[n];
        jf = new int[n];
        k = new int[n];
        for (int i = 0; i < n; i++) {
            code[i] = in.getShort();
            jt[i] = Byte.toUnsignedInt(in.get());
            jf[i] = Byte.toUnsignedInt(in.get());
            k[i] = in.getInt();
        }
        check();
    }

    int length() {
        return code.length;
    }

    /** The kernel's static checks, for the opcodes exxec uses; throws AssertionError on the first failure. */
    private void check() {
        int n = code.length;
        for (int pc = 0; pc < n; pc++) {
            switch (code[pc]) {
                case Bpf.LD_W_ABS -> {
                    if (k[pc] < 0 || k[pc] % 4 != 0 || k[pc] + 4 > DATA_BYTES) {
                        throw new AssertionError(pc + ": load outside seccomp_data at " + k[pc]);
                    }
                }
                case Bpf.AND_K, Bpf.RET_K -> {}
                case Bpf.JA -> {
                    if (Integer.toUnsignedLong(k[pc]) >= n - pc - 1) {
                        throw new AssertionError(
                                pc + ": JA " + Integer.toUnsignedString(k[pc]) + " leaves the program");
                    }
                }
                case Bpf.JEQ_K, Bpf.JGT_K, Bpf.JGE_K, Bpf.JSET_K -> {
                    if (pc + 1 + jt[pc] >= n || pc + 1 + jf[pc] >= n) {
                        throw new AssertionError(pc + ": a jump leaves the program");
                    }
                }
                default ->
                    throw new AssertionError(pc + ": opcode 0x" + Integer.toHexString(code[pc]) + " not expected");
            }
        }
        if (code[n - 1] != Bpf.RET_K) {
            throw new AssertionError("the last instruction is not a return");
        }
    }

    /** The verdict on a call of {@code nr} from {@code arch} with {@code args} (missing ones 0). */
    Run run(int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(DATA_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x7f0000001000L);
        for (int i = 0; i < args.length; i++) {
            data.putLong(16 + 8 * i, args[i]);
        }
        int a = 0;
        int steps = 0;
        for (int pc = 0; ; pc++) {
            steps++;
            switch (code[pc]) {
                case Bpf.LD_W_ABS -> a = data.getInt(k[pc]);
                case Bpf.AND_K -> a &= k[pc];
                case Bpf.RET_K -> {
                    return new Run(k[pc], steps);
                }
                case Bpf.JA -> pc += k[pc];
                case Bpf.JEQ_K -> pc += a == k[pc] ? jt[pc] : jf[pc];
                case Bpf.JGT_K -> pc += Integer.compareUnsigned(a, k[pc]) > 0 ? jt[pc] : jf[pc];
                case Bpf.JGE_K -> pc += Integer.compareUnsigned(a, k[pc]) >= 0 ? jt[pc] : jf[pc];
                case Bpf.JSET_K -> pc += (a & k[pc]) != 0 ? jt[pc] : jf[pc];
                default -> throw new AssertionError("unreachable: checked");
            }
        }
    }
}
