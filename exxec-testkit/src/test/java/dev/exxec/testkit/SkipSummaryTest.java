package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

/** The end-of-run summary names each skip's reason with its count, a skipped class as its tests. */
class SkipSummaryTest {

    /** Two tests skipped for a missing tool, one class skipped whole, one skipped for a capability. */
    static class Samples {
        @Test
        void needsATool() {
            Requirements.require(false, "the frobnicator is not installed (apt-get install frobnicator)");
        }

        @Test
        void needsItToo() {
            Requirements.require(false, "the frobnicator is not installed (apt-get install frobnicator)");
        }

        @Test
        void needsACapability() {
            Assumptions.abort("the environment does not declare terminals");
        }

        @Test
        void runs() {}
    }

    static class WholeClass {
        @BeforeAll
        static void daemon() {
            Requirements.require(false, "no test daemon here (start testd)");
        }

        @Test
        void one() {}

        @Test
        void two() {}

        @Test
        void three() {}
    }

    @Test
    void namesEachReasonWithItsCount() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SkipSummary summary = new SkipSummary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        LauncherFactory.create(LauncherConfig.builder()
                        .enableTestExecutionListenerAutoRegistration(false)
                        .build())
                .execute(
                        request()
                                .selectors(selectClass(Samples.class), selectClass(WholeClass.class))
                                .build(),
                        summary);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("1 × the environment does not declare terminals");
        if (Requirements.requireAll()) {
            // EXXEC_REQUIRE_ALL turns the missing tools into failures: nothing of theirs is a skip.
            assertThat(text).doesNotContain("frobnicator").doesNotContain("missing on this machine");
        } else {
            assertThat(text)
                    .contains("missing on this machine")
                    .contains("2 × the frobnicator is not installed (apt-get install frobnicator)")
                    .contains("3 × no test daemon here (start testd)");
            assertThat(text.indexOf("frobnicator")).isLessThan(text.indexOf("does not declare terminals"));
        }
    }

    @Test
    void printsNothingWhenNothingWasSkipped() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SkipSummary summary = new SkipSummary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        LauncherFactory.create(LauncherConfig.builder()
                        .enableTestExecutionListenerAutoRegistration(false)
                        .build())
                .execute(
                        request().selectors(selectMethod(Samples.class, "runs")).build(), summary);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
