package dev.loomtracer.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link AnalysisResult} as JSON: a record is an object keyed by its component names, a
 * list an array, a map an object, numbers as numbers (non-finite ones as null), strings escaped
 * per RFC 8259. {@link AnalysisResult.Profiles} is left out ({@code --collapsed} writes it).
 *
 * <p>Invariant: the keys are exactly the record component names, so renaming a component renames
 * a documented key (docs/ANALYSIS.md): add components, never rename them.
 */
public final class AnalysisJson {
    private AnalysisJson() {}

    /** An {@link AnalysisResult}, or any record made of the same kinds of values (the HTML report's own data). */
    public static String toJson(Record r) {
        StringBuilder sb = new StringBuilder(1 << 14);
        write(r, sb);
        return sb.toString();
    }

    public static void write(Record r, Appendable out) {
        try {
            value(r, out);
            out.append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void value(Object v, Appendable out) throws IOException {
        switch (v) {
            case null -> out.append("null");
            case String s -> string(s, out);
            case Boolean b -> out.append(b.toString());
            case Double d -> out.append(Double.isFinite(d) ? String.valueOf(d) : "null");
            case Number n -> out.append(n.toString());
            case Record rec -> record(rec, out);
            case List<?> l -> {
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(l.get(i), out);
                }
                out.append(']');
            }
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(String.valueOf(e.getKey()), out);
                    out.append(':');
                    value(e.getValue(), out);
                }
                out.append('}');
            }
            default -> string(v.toString(), out);
        }
    }

    private static void record(Record r, Appendable out) throws IOException {
        out.append('{');
        boolean first = true;
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (c.getType() == AnalysisResult.Profiles.class) {
                continue;
            }
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c, e);
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            string(c.getName(), out);
            out.append(':');
            value(v, out);
        }
        out.append('}');
    }

    static void string(String s, Appendable out) throws IOException {
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
