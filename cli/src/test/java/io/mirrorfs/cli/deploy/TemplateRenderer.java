package io.mirrorfs.cli.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the subset of Terraform's {@code templatefile} syntax the topology template uses, so a test
 * can feed the result to the real topology parser: {@code ${a.b}} (attribute paths only),
 * {@code %{ for x in a.b }...%{ endfor }}, {@code %{ if a.b != "" }...%{ endif }} (and {@code ==}),
 * and the right-hand strip marker {@code ~}} which, as in HCL, drops the whitespace after the
 * directive up to and including the first newline. Anything else is rejected rather than
 * mis-rendered: keep the template inside this subset.
 */
final class TemplateRenderer {

    private static final Pattern PATH = Pattern.compile("[A-Za-z_][\\w]*(\\.[A-Za-z_][\\w]*)*");
    private static final Pattern FOR = Pattern.compile("for\\s+([A-Za-z_]\\w*)\\s+in\\s+(" + PATH.pattern() + ")");
    private static final Pattern IF = Pattern.compile("if\\s+(" + PATH.pattern() + ")\\s*(==|!=)\\s*\"([^\"]*)\"");

    private sealed interface Node permits Text, Interpolation, ForLoop, IfBlock {}

    private record Text(String text) implements Node {}

    private record Interpolation(String path) implements Node {}

    private record ForLoop(String variable, String listPath, List<Node> body) implements Node {}

    private record IfBlock(String path, boolean equals, String literal, List<Node> body) implements Node {}

    private final String template;
    private int position;
    private boolean stripNextWhitespace;

    private TemplateRenderer(String template) {
        this.template = template;
    }

    static String render(String template, Map<String, Object> variables) {
        TemplateRenderer parser = new TemplateRenderer(template);
        List<Node> nodes = parser.parseUntil(null);
        StringBuilder out = new StringBuilder();
        renderNodes(nodes, new HashMap<>(variables), out);
        return out.toString();
    }

    /** Parses nodes up to the directive {@code end} (null: end of text), consuming that directive. */
    private List<Node> parseUntil(String end) {
        List<Node> nodes = new ArrayList<>();
        while (position < template.length()) {
            int next = nextMarker(position);
            String literal = template.substring(position, next < 0 ? template.length() : next);
            if (stripNextWhitespace) {
                literal = stripLeadingLine(literal);
                stripNextWhitespace = false;
            }
            if (!literal.isEmpty()) {
                nodes.add(new Text(literal.replace("$${", "${").replace("%%{", "%{")));
            }
            if (next < 0) {
                position = template.length();
                break;
            }
            int close = template.indexOf('}', next);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed " + template.substring(next, next + 2) + " at offset " + next);
            }
            String inner = template.substring(next + 2, close);
            if (inner.startsWith("~")) {
                throw new IllegalArgumentException("left strip markers are outside the supported subset: " + inner);
            }
            boolean strip = inner.endsWith("~");
            String body = (strip ? inner.substring(0, inner.length() - 1) : inner).strip();
            position = close + 1;
            stripNextWhitespace = strip;
            if (template.charAt(next) == '$') {
                if (!PATH.matcher(body).matches()) {
                    throw new IllegalArgumentException("only attribute paths are supported in ${...}, got: " + body);
                }
                nodes.add(new Interpolation(body));
                continue;
            }
            if (body.equals(end)) {
                return nodes;
            }
            Matcher forLoop = FOR.matcher(body);
            Matcher ifBlock = IF.matcher(body);
            if (forLoop.matches()) {
                nodes.add(new ForLoop(forLoop.group(1), forLoop.group(2), parseUntil("endfor")));
            } else if (ifBlock.matches()) {
                nodes.add(new IfBlock(ifBlock.group(1), ifBlock.group(3).equals("=="), ifBlock.group(4), parseUntil("endif")));
            } else {
                throw new IllegalArgumentException("unsupported directive %{" + inner + "}");
            }
        }
        if (end != null) {
            throw new IllegalArgumentException("missing %{ " + end + " }");
        }
        return nodes;
    }

    /** The next ${ or %{ that is not an escape ($${, %%{), or -1. */
    private int nextMarker(int from) {
        for (int i = from; i + 1 < template.length(); i++) {
            char c = template.charAt(i);
            if ((c == '$' || c == '%') && template.charAt(i + 1) == '{') {
                if (i > from && template.charAt(i - 1) == c) {
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    private static String stripLeadingLine(String literal) {
        int i = 0;
        while (i < literal.length() && (literal.charAt(i) == ' ' || literal.charAt(i) == '\t' || literal.charAt(i) == '\r')) {
            i++;
        }
        if (i < literal.length() && literal.charAt(i) == '\n') {
            i++;
        }
        return literal.substring(i);
    }

    private static void renderNodes(List<Node> nodes, Map<String, Object> scope, StringBuilder out) {
        for (Node node : nodes) {
            switch (node) {
                case Text t -> out.append(t.text());
                case Interpolation i -> {
                    Object value = lookup(scope, i.path());
                    if (value instanceof Map<?, ?> || value instanceof List<?>) {
                        throw new IllegalArgumentException("${" + i.path() + "} is not a string or number");
                    }
                    out.append(value);
                }
                case ForLoop f -> {
                    if (!(lookup(scope, f.listPath()) instanceof List<?> items)) {
                        throw new IllegalArgumentException(f.listPath() + " is not a list");
                    }
                    for (Object item : items) {
                        Map<String, Object> inner = new HashMap<>(scope);
                        inner.put(f.variable(), item);
                        renderNodes(f.body(), inner, out);
                    }
                }
                case IfBlock b -> {
                    boolean same = String.valueOf(lookup(scope, b.path())).equals(b.literal());
                    if (same == b.equals()) {
                        renderNodes(b.body(), scope, out);
                    }
                }
            }
        }
    }

    private static Object lookup(Map<String, Object> scope, String path) {
        Object value = scope;
        for (String part : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> map) || !map.containsKey(part)) {
                throw new IllegalArgumentException("unknown template variable " + path);
            }
            value = map.get(part);
        }
        if (value == null) {
            throw new IllegalArgumentException(path + " is null");
        }
        return value;
    }
}
