package dev.exxec;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A program to execute: its source, its language and per-call settings.
 *
 * <p>The program either defines {@code main()} (sync or async) whose return value is the result, or
 * assigns {@code _result}; see {@link ExecutionResult#result()}.
 *
 * {@snippet :
 * Code code = Code.python("_result = sum(range(10))").withTimeout(Duration.ofSeconds(5));
 * }
 *
 * @param source the program text; must not be blank
 * @param language its language, or {@code null} for the environment's default language
 * @param timeout the deadline of the call, or {@code null} for the environment's default;
 *     {@link Duration#ZERO} means no deadline
 * @param env variables added to the environment's own for this call
 * @param cwd working directory for this call (relative paths resolve against the workspace), or
 *     {@code null} for the environment's default
 * @param name what tracebacks and stack frames call the program (the file it came from, as in {@code
 *     File "examples/failing.py", line 9}), or {@code null} for {@code <code>}. Only a label: it is never
 *     opened, and the program's own view of itself ({@code __file__}, {@code sys.argv[0]}, {@code
 *     __filename}) stays {@code <code>}. At most {@value #MAX_NAME_LENGTH} characters, none of them a
 *     control character.
 */
public record Code(
        String source,
        @Nullable Language language,
        @Nullable Duration timeout,
        Map<String, String> env,
        @Nullable String cwd,
        @Nullable String name) {

    /** The longest {@link #name()}, in characters. */
    public static final int MAX_NAME_LENGTH = 4096;

    /** Validates and copies the components. */
    public Code {
        Objects.requireNonNull(source, "source");
        if (source.isBlank()) {
            throw new IllegalArgumentException("code is empty: there is nothing to execute");
        }
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        env = dev.exxec.internal.Variables.checked(env);
        if (name != null) {
            checkName(name);
        }
    }

    /** Code without a {@link #name()}: the canonical constructor before names existed. */
    public Code(
            String source,
            @Nullable Language language,
            @Nullable Duration timeout,
            Map<String, String> env,
            @Nullable String cwd) {
        this(source, language, timeout, env, cwd, null);
    }

    private static void checkName(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("the code's name is blank: give a file name, or none for <code>");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "the code's name is " + name.length() + " characters long, more than " + MAX_NAME_LENGTH);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new IllegalArgumentException(String.format(
                        "the code's name holds a control character (U+%04X at index %d): a name is one line of"
                                + " printable text",
                        (int) c, i));
            }
        }
    }

    /** Code in the environment's default language. */
    public static Code of(String source) {
        return new Code(source, null, null, Map.of(), null, null);
    }

    /** Code in the given language. */
    public static Code of(Language language, String source) {
        return new Code(source, Objects.requireNonNull(language, "language"), null, Map.of(), null, null);
    }

    /** Python code. */
    public static Code python(String source) {
        return of(Language.PYTHON, source);
    }

    /** JavaScript code. */
    public static Code javascript(String source) {
        return of(Language.JAVASCRIPT, source);
    }

    /** TypeScript code. */
    public static Code typescript(String source) {
        return of(Language.TYPESCRIPT, source);
    }

    /** This code with another deadline ({@link Duration#ZERO} for none). */
    public Code withTimeout(Duration timeout) {
        return new Code(source, language, Objects.requireNonNull(timeout, "timeout"), env, cwd, name);
    }

    /** This code with one more environment variable. */
    public Code withEnv(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new Code(source, language, timeout, copy, cwd, name);
    }

    /** This code with more environment variables. */
    public Code withEnv(Map<String, String> variables) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.putAll(variables);
        return new Code(source, language, timeout, copy, cwd, name);
    }

    /** This code running in another working directory. */
    public Code withCwd(String cwd) {
        return new Code(source, language, timeout, env, Objects.requireNonNull(cwd, "cwd"), name);
    }

    /** This code in another language. */
    public Code withLanguage(Language language) {
        return new Code(source, Objects.requireNonNull(language, "language"), timeout, env, cwd, name);
    }

    /**
     * This code named {@code name} in tracebacks and stack frames, e.g. the file it was read from.
     *
     * @throws IllegalArgumentException when the name is blank, longer than {@value #MAX_NAME_LENGTH}
     *     characters or holds a control character
     */
    public Code named(String name) {
        return new Code(source, language, timeout, env, cwd, Objects.requireNonNull(name, "name"));
    }

    /** The name tracebacks give the program: {@link #name()}, or {@code <code>} when it has none. */
    public String displayName() {
        return name != null ? name : "<code>";
    }
}
