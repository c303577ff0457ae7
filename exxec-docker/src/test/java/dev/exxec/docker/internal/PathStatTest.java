package dev.exxec.docker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The archive API's stat header, as the Docker daemon sends it (values taken from a real daemon). */
class PathStatTest {
    private static String header(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSymbolicLinkWithItsResolvedTarget() throws IOException {
        PathStat s = PathStat.parse(header("{\"name\":\"inner\",\"size\":4,\"mode\":134218239,"
                + "\"mtime\":\"2026-11-26T16:15:57.453181177Z\",\"linkTarget\":\"/workspace/real\"}"));
        assertThat(s.name()).isEqualTo("inner");
        assertThat(s.isSymbolicLink()).isTrue();
        assertThat(s.isDirectory()).isFalse();
        assertThat(s.isRegularFile()).isFalse();
        assertThat(s.linkTarget()).isEqualTo("/workspace/real");
        assertThat(s.modified()).isEqualTo(Instant.parse("2026-11-26T16:15:57.453181177Z"));
    }

    @Test
    void aFileAndADirectory() throws IOException {
        PathStat file = PathStat.parse(header("{\"name\":\"passwd\",\"size\":839,\"mode\":420,"
                + "\"mtime\":\"2026-11-26T15:49:02Z\",\"linkTarget\":\"\"}"));
        assertThat(file.isRegularFile()).isTrue();
        assertThat(file.size()).isEqualTo(839);
        PathStat dir = PathStat.parse(header("{\"name\":\"workspace\",\"size\":4096,\"mode\":2147484141,"
                + "\"mtime\":\"2026-11-26T15:49:02Z\",\"linkTarget\":\"\"}"));
        assertThat(dir.isDirectory()).isTrue();
        assertThat(dir.isRegularFile()).isFalse();
    }

    @Test
    void anUnreadableHeaderIsAnIoError() {
        assertThatThrownBy(() -> PathStat.parse("not base64 at all!"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not readable");
        assertThatThrownBy(() -> PathStat.parse(header("[1, 2"))).isInstanceOf(IOException.class);
    }
}
