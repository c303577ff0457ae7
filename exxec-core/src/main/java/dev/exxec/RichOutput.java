package dev.exxec;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A value or figure that code displayed, typed by its MIME type ({@code image/png}, {@code
 * image/svg+xml}, {@code text/html}, {@code application/json}, {@code text/plain}...), as sessions
 * report them (a matplotlib figure, an object with {@code _repr_html_}, {@code display(...)}).
 *
 * @param mimeType its MIME type
 * @param data its content: text for text types, JSON and SVG; Base64 for binary types (images)
 */
public record RichOutput(String mimeType, String data) {

    public RichOutput {
        Objects.requireNonNull(mimeType, "mimeType");
        Objects.requireNonNull(data, "data");
    }

    /** Whether {@link #data()} is Base64 of binary content rather than text. */
    public boolean binary() {
        return !(mimeType.startsWith("text/")
                || mimeType.equals("application/json")
                || mimeType.endsWith("+xml")
                || mimeType.endsWith("+json"));
    }

    /** The content as bytes: Base64 decoded for binary types, UTF-8 for text. */
    public byte[] bytes() {
        return binary() ? Base64.getMimeDecoder().decode(data) : data.getBytes(StandardCharsets.UTF_8);
    }
}
