package io.mirrorfs.api.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes metrics in the Prometheus text exposition format (version 0.0.4): declare each family once
 * with {@link #family}, then add samples. Families come out in declaration order with their samples
 * grouped under one HELP/TYPE header, as the format requires. Dependency-free on purpose, so the
 * metadata nodes, the sync service and the CLI share it without pulling in a metrics library.
 *
 * <p>Not thread-safe: build one per scrape.
 */
public final class PrometheusText {
    /** The media type a scrape answer carries. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public enum Type {
        GAUGE, COUNTER;

        String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, StringBuilder> families = new LinkedHashMap<>();

    /** Declares a metric family; a second declaration of the same name is a programming error. */
    public PrometheusText family(String name, Type type, String help) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: '" + name + "'");
        }
        if (type == Type.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter " + name + " must end in _total (Prometheus naming)");
        }
        if (families.containsKey(name)) {
            throw new IllegalArgumentException("metric family " + name + " declared twice");
        }
        families.put(name, new StringBuilder().append("# HELP ").append(name).append(' ').append(escapeHelp(help))
                .append('\n').append("# TYPE ").append(name).append(' ').append(type.text()).append('\n'));
        return this;
    }

    /** Adds a sample without labels. */
    public PrometheusText sample(String name, double value) {
        return sample(name, Map.of(), value);
    }

    /** Adds a sample; label values are escaped, label order is kept (pass a LinkedHashMap for a fixed order). */
    public PrometheusText sample(String name, Map<String, String> labels, double value) {
        StringBuilder family = families.get(name);
        if (family == null) {
            throw new IllegalArgumentException("sample of undeclared metric family " + name);
        }
        family.append(name);
        if (!labels.isEmpty()) {
            family.append('{');
            boolean first = true;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                if (!LABEL_NAME.matcher(label.getKey()).matches() || label.getKey().startsWith("__")) {
                    throw new IllegalArgumentException("not a Prometheus label name: '" + label.getKey() + "'");
                }
                if (!first) {
                    family.append(',');
                }
                first = false;
                family.append(label.getKey()).append("=\"").append(escapeLabelValue(label.getValue())).append('"');
            }
            family.append('}');
        }
        family.append(' ').append(formatValue(value)).append('\n');
        return this;
    }

    /** The whole exposition, ending in a newline (empty when nothing was declared). */
    public String render() {
        StringBuilder out = new StringBuilder();
        families.values().forEach(out::append);
        return out.toString();
    }

    /** Whole numbers without a fraction (exact up to 2^53), the special values as Prometheus spells them. */
    static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 0x1p53) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
