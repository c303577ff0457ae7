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
    void malformedJsonIsAnIllegalArgument() {
        assertThatThrownBy(() -> Json.parse("{nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
