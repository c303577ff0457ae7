package dev.exxec.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class JsonTest {
    @Test
    void parsesToPlainUnmodifiableValues() {
        Object v = Json.parse("{\"a\":1,\"b\":[true,null,2.5],\"c\":12345678901,\"d\":123456789012345678901234}");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("a")).isEqualTo(1);
        assertThat(m.get("c")).isEqualTo(12345678901L);
        assertThat(m.get("d")).isEqualTo(new BigInteger("123456789012345678901234"));
        assertThat((List<Object>) m.get("b")).containsExactly(true, null, 2.5);
        assertThatThrownBy(() -> ((Map<String, Object>) m).put("x", 1))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readsEscapesSurrogatePairsAndNumbers() {
        assertThat(Json.parse("\"a\\n\\t\\\"\\u00e9\\ud83d\\ude00/\"")).isEqualTo("a\n\t\"\u00e9\ud83d\ude00/");
        assertThat(Json.parse(" [ -0 , 1e3 , -2.5E-1 , 9223372036854775807 , 9223372036854775808 ] "))
                .isEqualTo(List.of(0, 1000.0, -0.25, Long.MAX_VALUE, new BigInteger("9223372036854775808")));
        assertThat(Json.parse("{}")).isEqualTo(Map.of());
        assertThat(Json.parse("[]")).isEqualTo(List.of());
        assertThat(Json.parse("null")).isNull();
        assertThat(Json.parse("\"日本語 😀\"")).isEqualTo("日本語 😀");
    }

    @Test
    void malformedJsonIsAnIllegalArgument() {
        for (String bad :
                new String[] {"{nope", "[1,]", "{\"a\" 1}", "\"open", "tru", "1 2", "", "[\"\u0001\"]", "01x"}) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writesAndConvertsWithJackson() {
        assertThat(Json.write(Map.of("a", List.of(1, "x")))).isEqualTo("{\"a\":[1,\"x\"]}");
        record P(String name, int age) {}
        assertThat(Json.convert(Map.of("name", "Ada", "age", 36), P.class)).isEqualTo(new P("Ada", 36));
    }
}
