package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
    @Test
    void boundaryStopsBeforeAnIncompleteSequence() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 'a' + 3 bytes
        assertThat(Utf8.boundary(euro, 0, 4)).isEqualTo(4);
        assertThat(Utf8.boundary(euro, 0, 3)).isEqualTo(1);
        assertThat(Utf8.boundary(euro, 0, 2)).isEqualTo(1);
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.boundary(emoji, 0, 3)).isZero();
        assertThat(Utf8.boundary(emoji, 0, 4)).isEqualTo(4);
        assertThat(Utf8.boundary("ascii".getBytes(StandardCharsets.UTF_8), 0, 5))
                .isEqualTo(5);
    }
}
