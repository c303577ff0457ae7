package dev.exxec.graalvm.internal;

import dev.exxec.Language;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jspecify.annotations.Nullable;

/**
 * Converts a guest value to the plain Java values of {@link dev.exxec.ExecutionResult#result()} by
 * walking it with the polyglot API, with the rules of the process drivers: what JSON holds comes back
 * as JSON values, a top-level value JSON cannot hold as its text form with its type name, a nested one
 * as its text form alone (like {@code json.dumps(default=repr)} and a replacer in JavaScript).
 */
public final class Values {
    /** Deeper than this is taken for a cycle: the value comes back as its text form. */
    private static final int MAX_DEPTH = 200;

    private static final Set<String> PY_JSON =
            Set.of("NoneType", "bool", "int", "float", "str", "list", "tuple", "dict");

    private final Language language;
    private final Value textForm;

    /**
     * @param language the guest's language
     * @param textForm the driver's function giving a value's text form ({@code repr}, an inspect)
     */
    public Values(Language language, Value textForm) {
        this.language = language;
        this.textForm = textForm;
    }

    /** Converts a program's result. */
    public Outcome.Ok convert(Value value) {
        if (value.isNull()) {
            return new Outcome.Ok(null, null);
        }
        if (isJson(value, true)) {
            try {
                return new Outcome.Ok(json(value, 0), null);
            } catch (NotJson e) {
                // a cycle, a non-finite float in Python, a key JSON cannot hold: the text form below
            } catch (PolyglotException e) {
                if (e.isCancelled() || e.isInterrupted() || e.isExit() || e.isResourceExhausted()) {
                    throw e;
                }
                // the program's own code threw while its value was read (a getter, a proxy's trap): the
                // value is still the program's result, in its text form below
            }
        }
        return new Outcome.Ok(text(value), typeName(value));
    }

    private static final class NotJson extends Exception {
        NotJson() {
            super(null, null, false, false);
        }
    }

    private boolean isJson(Value v, boolean topLevel) {
        String meta = meta(v);
        return switch (language) {
            case PYTHON -> PY_JSON.contains(meta);
            case JAVASCRIPT, TYPESCRIPT -> {
                if (v.isNull() || v.isBoolean() || v.isString()) {
                    yield true;
                }
                if (meta.equals("number")) {
                    yield !topLevel || Double.isFinite(v.asDouble());
                }
                if (meta.equals("bigint") || meta.equals("Map") || meta.equals("Set") || meta.equals("Symbol")) {
                    yield false;
                }
                if (v.canExecute() || v.hasArrayElements() || meta.equals("Date")) {
                    yield !v.canExecute();
                }
                // Top level: only plain objects (a class instance comes back as its text form);
                // nested: any object, as JSON.stringify takes its own enumerable properties.
                yield v.hasMembers() && (!topLevel || meta.equals("Object"));
            }
        };
    }

    private @Nullable Object json(Value v, int depth) throws NotJson {
        if (depth > MAX_DEPTH) {
            throw new NotJson();
        }
        if (v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isString()) {
            return v.asString();
        }
        String meta = meta(v);
        if (!isJson(v, false)) {
            if (language == Language.PYTHON) {
                return text(v); // json.dumps(default=repr)
            }
            return v.isNumber() && meta.equals("number") ? text(v) : text(v);
        }
        if (v.isNumber()) {
            return number(v, meta);
        }
        if (language != Language.PYTHON && meta.equals("Date")) {
            return v.invokeMember("toJSON").asString();
        }
        if (v.hasHashEntries()) { // a Python dict
            Map<String, Object> map = new LinkedHashMap<>();
            Value keys = v.getHashKeysIterator();
            while (keys.hasIteratorNextElement()) {
                Value key = keys.getIteratorNextElement();
                map.put(key(key), json(v.getHashValue(key), depth + 1));
            }
            return Collections.unmodifiableMap(map);
        }
        if (v.hasArrayElements()) {
            long size = v.getArraySize();
            List<Object> list = new ArrayList<>((int) Math.min(size, 1 << 16));
            for (long i = 0; i < size; i++) {
                list.add(json(v.getArrayElement(i), depth + 1));
            }
            return Collections.unmodifiableList(list);
        }
        if (v.hasMembers()) { // a JavaScript object: its own enumerable properties, as JSON.stringify
            Map<String, Object> map = new LinkedHashMap<>();
            for (String key : v.getMemberKeys()) {
                Value member = v.getMember(key);
                if (member == null || meta(member).equals("undefined") || member.canExecute()) {
                    continue; // JSON.stringify leaves out undefined and functions
                }
                map.put(key, json(member, depth + 1));
            }
            return Collections.unmodifiableMap(map);
        }
        return text(v);
    }

    private @Nullable Object number(Value v, String meta) throws NotJson {
        if (language == Language.PYTHON && meta.equals("float")) {
            double d = v.asDouble();
            if (!Double.isFinite(d)) {
                throw new NotJson(); // json.dumps(allow_nan=False)
            }
            return d;
        }
        if (v.fitsInInt()) {
            return v.asInt();
        }
        if (v.fitsInLong()) {
            return v.asLong();
        }
        if (language == Language.PYTHON && v.fitsInBigInteger()) {
            return v.as(BigInteger.class);
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            return text(v); // the replacer's String(value)
        }
        return d;
    }

    private String key(Value key) throws NotJson {
        if (key.isString()) {
            return key.asString();
        }
        if (key.isBoolean()) {
            return key.asBoolean() ? "true" : "false";
        }
        if (key.isNull()) {
            return "null";
        }
        if (key.isNumber()) {
            Object n = number(key, meta(key));
            return String.valueOf(n);
        }
        throw new NotJson(); // json.dumps refuses other keys
    }

    private String text(Value v) {
        try {
            Value t = textForm.execute(v);
            return t.isString() ? t.asString() : t.toString();
        } catch (RuntimeException e) {
            return "<" + typeName(v) + ">";
        }
    }

    private static String typeName(Value v) {
        String meta = meta(v);
        return meta.isEmpty() ? "object" : meta;
    }

    private static String meta(Value v) {
        Value m = v.getMetaObject();
        return m == null ? "" : m.getMetaSimpleName();
    }
}
