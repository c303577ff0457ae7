package dev.exxec.testkit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, at the end of a module's tests, why tests were skipped, grouped by reason and counted: what
 * this machine lacks first (each reason from {@link Requirements#require} names the tool and how to
 * get it), then what the environments under test do not declare. Maven's own summary only counts
 * skips; this says which areas went untested and why. Registered with the JUnit Platform through
 * {@code META-INF/services}, so every module that tests with the kit prints it.
 */
public final class SkipSummary implements TestExecutionListener {
    private static final int MAX_OTHER_REASONS = 12;

    private final Map<String, AtomicInteger> missing = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> other = new ConcurrentHashMap<>();
    private final PrintStream out;
    private volatile @Nullable TestPlan plan;

    /** The listener JUnit loads; prints to standard output, which Maven shows. */
    public SkipSummary() {
        this(System.out);
    }

    SkipSummary(PrintStream out) {
        this.out = out;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        count(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            count(test, result.getThrowable().map(Throwable::getMessage).orElse(null));
        }
    }

    private void count(TestIdentifier test, @Nullable String reason) {
        String why = Optional.ofNullable(reason)
                .map(r -> r.replaceFirst("^Assumption failed: ", "").strip())
                .filter(r -> !r.isEmpty())
                .orElse("(no reason given)");
        // A skipped container counts as the tests planned under it (at least one: its own).
        TestPlan p = plan;
        int tests = test.isTest() || p == null
                ? 1
                : (int) Math.max(
                        1,
                        p.getDescendants(test).stream()
                                .filter(TestIdentifier::isTest)
                                .count());
        (Requirements.isMissingReason(why) ? missing : other)
                .computeIfAbsent(why, k -> new AtomicInteger())
                .addAndGet(tests);
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (missing.isEmpty() && other.isEmpty()) {
            return;
        }
        StringBuilder s = new StringBuilder("\nexxec: skipped here, and why\n");
        if (!missing.isEmpty()) {
            s.append("  missing on this machine (CI installs it; EXXEC_REQUIRE_ALL=1 makes these failures):\n");
            lines(s, missing, Integer.MAX_VALUE);
        }
        if (!other.isEmpty()) {
            s.append("  not offered by the environment under test, or not applicable here:\n");
            lines(s, other, MAX_OTHER_REASONS);
        }
        out.print(s);
        out.flush();
    }

    private static void lines(StringBuilder s, Map<String, AtomicInteger> reasons, int max) {
        List<Map.Entry<String, AtomicInteger>> sorted = new ArrayList<>(reasons.entrySet());
        sorted.sort((a, b) -> b.getValue().get() != a.getValue().get()
                ? Integer.compare(b.getValue().get(), a.getValue().get())
                : a.getKey().compareTo(b.getKey()));
        int shown = 0;
        int rest = 0;
        for (Map.Entry<String, AtomicInteger> e : sorted) {
            if (shown < max) {
                s.append(String.format("    %4d × %s%n", e.getValue().get(), oneLine(e.getKey())));
                shown++;
            } else {
                rest += e.getValue().get();
            }
        }
        if (rest > 0) {
            s.append(String.format("    %4d × (%d other reasons)%n", rest, sorted.size() - shown));
        }
    }

    private static String oneLine(String reason) {
        String line = reason.replaceAll("\\s+", " ");
        return line.length() > 320 ? line.substring(0, 319) + "…" : line;
    }
}
