package io.mirrorfs.cli.failover;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few JSON shapes the failover reports need, written by hand: reports are write-only from this
 * code, and the CLI's classpath should not grow a JSON library for them. Keys keep insertion order so
 * a report reads top-down.
 */
public final class Json {
    private Json() {}

    /** A JSON object: string, number, boolean, null, {@link Object} or {@link Array} values. */
    public static final class Object {
        private final Map<String, java.lang.Object> fields = new LinkedHashMap<>();

        public Object put(String key, java.lang.Object value) {
            assert value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                    || value instanceof Object || value instanceof Array : "not a JSON value: " + value.getClass();
            fields.put(key, value);
            return this;
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            write(this, out, 0);
            return out.toString();
        }
    }

    public static final class Array {
        private final List<java.lang.Object> items = new ArrayList<>();

        public Array add(java.lang.Object value) {
            items.add(value);
            return this;
        }

        public static Array ofStrings(Iterable<String> values) {
            Array a = new Array();
            values.forEach(a::add);
            return a;
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            write(this, out, 0);
            return out.toString();
        }
    }

    private static void write(java.lang.Object value, StringBuilder out, int indent) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Object o) {
            if (o.fields.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            int i = 0;
            for (Map.Entry<String, java.lang.Object> e : o.fields.entrySet()) {
                pad(out, indent + 2);
                quote(e.getKey(), out);
                out.append(": ");
                write(e.getValue(), out, indent + 2);
                out.append(++i < o.fields.size() ? ",\n" : "\n");
            }
            pad(out, indent);
            out.append('}');
        } else if (value instanceof Array a) {
            if (a.items.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[\n");
            for (int i = 0; i < a.items.size(); i++) {
                pad(out, indent + 2);
                write(a.items.get(i), out, indent + 2);
                out.append(i + 1 < a.items.size() ? ",\n" : "\n");
            }
            pad(out, indent);
            out.append(']');
        } else {
            throw new AssertionError("not a JSON value: " + value.getClass());
        }
    }

    private static void pad(StringBuilder out, int n) {
        out.append(" ".repeat(n));
    }

    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
