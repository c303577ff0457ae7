package dev.exxec.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriverProtocolTest {
    @Test
    void theRequestIsAHeaderLineThenTheSource() {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("file", "/tmp/r.json");
        header.put("setsid", "1");
        byte[] request = DriverProtocol.request(header, "print('é')\n");
        assertThat(new String(request, StandardCharsets.UTF_8))
                .isEqualTo("exxec-driver/1\tfile=/tmp/r.json\tsetsid=1\nprint('é')\n");
    }

    @Test
    void headerValuesCannotBreakTheLine() {
        assertThatThrownBy(() -> DriverProtocol.request(Map.of("file", "/tmp/a\nb"), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriverProtocol.request(Map.of("a=b", "c"), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesBothKindsOfRecord() {
        DriverProtocol.DriverRecord ok = DriverProtocol.parse(
                "{\"ok\":true,\"value\":{\"a\":[1]},\"type\":null}".getBytes(StandardCharsets.UTF_8));
        assertThat(ok.ok()).isTrue();
        assertThat(ok.value()).isEqualTo(Map.of("a", java.util.List.of(1)));
        DriverProtocol.DriverRecord failed = DriverProtocol.parse(
                "{\"ok\":false,\"error\":\"bad\",\"errorType\":\"ValueError\",\"traceback\":\"tb\"}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(failed.ok()).isFalse();
        assertThat(failed.errorType()).isEqualTo("ValueError");
        assertThatThrownBy(() -> DriverProtocol.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void markersAreRandomAndStartWithARecordSeparator() {
        String a = DriverProtocol.newMarker();
        assertThat(a).startsWith("\u001eexxec-result:").hasSize("\u001eexxec-result:".length() + 25);
        assertThat(DriverProtocol.newMarker()).isNotEqualTo(a);
    }

    @Test
    void theDriversAreOnTheClassPath() {
        assertThat(DriverProtocol.resource(DriverProtocol.PYTHON_DRIVER)).isNotEmpty();
        assertThat(DriverProtocol.resource(DriverProtocol.PYTHON_SUPPORT)).isNotEmpty();
        assertThat(DriverProtocol.resource(DriverProtocol.JAVASCRIPT_DRIVER)).isNotEmpty();
    }
}
