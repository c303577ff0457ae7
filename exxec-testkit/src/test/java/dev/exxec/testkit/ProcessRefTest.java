package dev.exxec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessRefTest {

    @Test
    void readsANamespacedPidABarePidAndAnEmptyNamespace() {
        assertThat(ProcessRef.parse("pid:[4026532712]:7")).isEqualTo(new ProcessRef("pid:[4026532712]", 7));
        assertThat(ProcessRef.parse("1234")).isEqualTo(ProcessRef.of(1234));
        assertThat(ProcessRef.parse(":1234")).isEqualTo(ProcessRef.of(1234));
    }

    @Test
    void printsWhatItReads() {
        for (String text : new String[] {"pid:[4026532712]:7", "1234"}) {
            assertThat(ProcessRef.parse(text)).hasToString(text);
        }
    }

    @Test
    void rejectsWhatIsNoReference() {
        for (String text :
                new String[] {"", "pid:[1]:", "pid:[1]:x", "abc", "0", "-3", "pid:[1]:99999999999999999999"}) {
            assertThatThrownBy(() -> ProcessRef.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new ProcessRef(" ", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
