package dev.exxec.internal.seccomp;

import dev.exxec.internal.seccomp.Bpf.Label;
import dev.exxec.internal.seccomp.Rule.Allow;
import dev.exxec.internal.seccomp.Rule.AllowIf;
import dev.exxec.internal.seccomp.Rule.ArgumentCondition;
import dev.exxec.internal.seccomp.Rule.Refuse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link SyscallPolicy} for one architecture into a seccomp program.
 *
 * <p>The program first checks {@code seccomp_data.arch}: a call made through another ABI (i386's
 * {@code int 0x80} on x86_64, AArch32 on aarch64, a big-endian kernel) kills the process, as does,
 * on x86_64, a call of the x32 ABI (bit 30 of the number). Nothing exxec runs uses them, and their
 * numbers mean other calls than the table's, so they could only be a way around it; killing the
 * process (SIGSYS, exit 159) rather than refusing the call is libseccomp's default for a foreign
 * architecture, and makes the attempt plain to see. The number {@code -1} (which a tracer uses to skip
 * a call) is answered {@code ENOSYS}, as the kernel answers it.
 *
 * <p>Then the number is looked up in a balanced binary tree of {@code JGE} over the ranges of numbers
 * that share an answer: 6 or 7 comparisons for any call instead of one per allowed call. A leaf
 * returns the answer, or checks the arguments of a conditionally allowed call.
 */
public final class BpfCompiler {
    private BpfCompiler() {}

    /** One run of consecutive numbers, from {@code first}, with one rule. */
    private record Range(long first, Rule rule) {}

    /** The program for {@code policy} on {@code arch}, as {@code struct sock_filter[]} bytes. */
    public static byte[] compile(SyscallPolicy policy, SeccompArch arch) {
        List<Range> ranges = ranges(policy, SyscallTable.of(arch));
        Bpf bpf = new Bpf();
        Label ours = bpf.label();
        Label foreign = bpf.label();
        bpf.load(Bpf.ARCH).jump(Bpf.JEQ_K, arch.auditArch(), ours, foreign);
        bpf.mark(foreign).ret(Bpf.RET_KILL_PROCESS);
        bpf.mark(ours).load(Bpf.NR);
        if (arch.x32()) {
            Label x32 = bpf.label();
            Label skip = bpf.label();
            Label kill = bpf.label();
            Label tree = bpf.label();
            bpf.jump(Bpf.JGE_K, 0x40000000, x32, tree);
            bpf.mark(x32).jump(Bpf.JEQ_K, -1, skip, kill);
            bpf.mark(skip).ret(Bpf.RET_ERRNO | Rule.ENOSYS);
            bpf.mark(kill).ret(Bpf.RET_KILL_PROCESS);
            bpf.mark(tree);
        }
        tree(bpf, ranges, 0, ranges.size());
        return bpf.assemble();
    }

    /**
     * The numbers from 0 up, cut where the answer changes: a named call gets its rule, a call the
     * table knows but the policy does not name {@code EPERM}, a number the table does not know (a gap,
     * or above its last) {@code ENOSYS}.
     */
    private static List<Range> ranges(SyscallPolicy policy, SyscallTable table) {
        Map<String, Rule> rules = policy.rules();
        Rule unnamed = new Refuse(Rule.EPERM);
        Rule unknown = new Refuse(Rule.ENOSYS);
        List<Range> ranges = new ArrayList<>();
        long expected = 0;
        for (var e : table.byNumber().entrySet()) {
            if (e.getKey() > expected) {
                add(ranges, expected, unknown);
            }
            add(ranges, e.getKey(), rules.getOrDefault(e.getValue(), unnamed));
            expected = e.getKey() + 1L;
        }
        add(ranges, expected, unknown);
        return ranges;
    }

    private static void add(List<Range> ranges, long first, Rule rule) {
        if (ranges.isEmpty() || !ranges.getLast().rule().equals(rule)) {
            ranges.add(new Range(first, rule));
        }
    }

    /** Ranges {@code [from, to)}, A holding the number. */
    private static void tree(Bpf bpf, List<Range> ranges, int from, int to) {
        if (to - from == 1) {
            leaf(bpf, ranges.get(from).rule());
            return;
        }
        int middle = (from + to) >>> 1;
        Label lower = bpf.label();
        Label upper = bpf.label();
        bpf.jump(Bpf.JGE_K, (int) ranges.get(middle).first(), upper, lower);
        bpf.mark(lower);
        tree(bpf, ranges, from, middle);
        bpf.mark(upper);
        tree(bpf, ranges, middle, to);
    }

    private static void leaf(Bpf bpf, Rule rule) {
        switch (rule) {
            case Allow a -> bpf.ret(Bpf.RET_ALLOW);
            case Refuse r -> bpf.ret(Bpf.RET_ERRNO | r.errno());
            case AllowIf c -> {
                Label allow = bpf.label();
                for (List<ArgumentCondition> sameWord : byWord(c.anyOf())) {
                    Label next = bpf.label();
                    conditions(bpf, sameWord, allow, next);
                    bpf.mark(next);
                }
                bpf.ret(Bpf.RET_ERRNO | Rule.EPERM);
                bpf.mark(allow).ret(Bpf.RET_ALLOW);
            }
        }
    }

    /** Which conditions can share their loads: same argument, same high word test, same low mask. */
    private record Word(int index, int maskHigh, int valueHigh, int maskLow) {
        static Word of(ArgumentCondition c) {
            return new Word(c.index(), (int) (c.mask() >>> 32), (int) (c.value() >>> 32), (int) c.mask());
        }
    }

    private static Collection<List<ArgumentCondition>> byWord(List<ArgumentCondition> conditions) {
        Map<Word, List<ArgumentCondition>> out = new LinkedHashMap<>();
        for (ArgumentCondition c : conditions) {
            out.computeIfAbsent(Word.of(c), w -> new ArrayList<>()).add(c);
        }
        return out.values();
    }

    /**
     * To {@code holds} when one of {@code conditions} (all of one {@link Word}) holds on all 64 bits,
     * else to {@code fails}: the high word is tested once, the low word loaded once, then one
     * comparison per value (personality's five values cost 8 instructions, not 20).
     */
    private static void conditions(Bpf bpf, List<ArgumentCondition> conditions, Label holds, Label fails) {
        Word w = Word.of(conditions.getFirst());
        if (w.maskHigh() != 0) {
            Label low = bpf.label();
            bpf.load(Bpf.argHigh(w.index()));
            test(bpf, w.maskHigh(), w.valueHigh(), w.maskLow() != 0 ? low : holds, fails);
            bpf.mark(low);
        }
        if (w.maskLow() == 0) {
            return; // the mask has no low bit: the high word decided (a Word with maskLow 0 has one value)
        }
        bpf.load(Bpf.argLow(w.index()));
        if (conditions.size() == 1) {
            test(bpf, w.maskLow(), (int) conditions.getFirst().value(), holds, fails);
            return;
        }
        if (w.maskLow() != -1) {
            bpf.and(w.maskLow());
        }
        for (int i = 0; i < conditions.size(); i++) {
            Label next = bpf.label();
            bpf.jump(Bpf.JEQ_K, (int) conditions.get(i).value(), holds, i == conditions.size() - 1 ? fails : next);
            bpf.mark(next);
        }
    }

    /** A holds a word: to {@code holds} when {@code (A & mask) == value}, else to {@code fails}. */
    private static void test(Bpf bpf, int mask, int value, Label holds, Label fails) {
        if (value == 0) {
            // No bit of the mask set: one JSET, no AND.
            bpf.jump(Bpf.JSET_K, mask, fails, holds);
            return;
        }
        if (mask != -1) {
            bpf.and(mask);
        }
        bpf.jump(Bpf.JEQ_K, value, holds, fails);
    }
}
