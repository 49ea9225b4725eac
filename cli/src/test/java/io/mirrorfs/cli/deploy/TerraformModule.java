package io.mirrorfs.cli.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The declarations of one Terraform module (all .tf files of one folder), as parsed by hcl2json,
 * and every string in it, which is where hcl2json keeps expressions.
 */
record TerraformModule(
        Path dir,
        Map<String, Map<String, Object>> variables,
        Map<String, Map<String, Object>> outputs,
        Set<String> locals,
        Set<String> resources,
        Set<String> dataSources,
        Map<String, Map<String, Object>> moduleCalls,
        List<Located> strings) {

    /** A string found in a file, with the file, for messages. */
    record Located(Path file, String text) {}

    @SuppressWarnings("unchecked")
    static TerraformModule of(Path dir, Map<Path, Map<String, Object>> parsedFiles) {
        Map<String, Map<String, Object>> variables = new LinkedHashMap<>();
        Map<String, Map<String, Object>> outputs = new LinkedHashMap<>();
        Set<String> locals = new LinkedHashSet<>();
        Set<String> resources = new LinkedHashSet<>();
        Set<String> dataSources = new LinkedHashSet<>();
        Map<String, Map<String, Object>> moduleCalls = new LinkedHashMap<>();
        List<Located> strings = new ArrayList<>();
        parsedFiles.forEach((file, tree) -> {
            if (!file.getParent().equals(dir)) {
                return;
            }
            firstBlocks(tree.get("variable")).forEach(variables::put);
            firstBlocks(tree.get("output")).forEach(outputs::put);
            firstBlocks(tree.get("module")).forEach(moduleCalls::put);
            if (tree.get("locals") instanceof List<?> blocks) {
                blocks.forEach(b -> locals.addAll(((Map<String, Object>) b).keySet()));
            }
            typedNames(tree.get("resource"), resources);
            typedNames(tree.get("data"), dataSources);
            collectStrings(file, tree, strings);
        });
        return new TerraformModule(dir, variables, outputs, locals, resources, dataSources, moduleCalls, strings);
    }

    /** Blocks with one label ({@code variable "x" {...}}): hcl2json gives name -> [body]. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> firstBlocks(Object section) {
        Map<String, Map<String, Object>> bodies = new LinkedHashMap<>();
        if (section instanceof Map<?, ?> byName) {
            byName.forEach((name, list) -> bodies.put((String) name, ((List<Map<String, Object>>) list).get(0)));
        }
        return bodies;
    }

    /** Blocks with two labels ({@code resource "type" "name"}), as "type.name". */
    private static void typedNames(Object section, Set<String> into) {
        if (section instanceof Map<?, ?> byType) {
            byType.forEach((type, byName) -> ((Map<?, ?>) byName).keySet().forEach(name -> into.add(type + "." + name)));
        }
    }

    private static void collectStrings(Path file, Object node, List<Located> into) {
        if (node instanceof String s) {
            into.add(new Located(file, s));
        } else if (node instanceof Map<?, ?> map) {
            map.values().forEach(v -> collectStrings(file, v, into));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectStrings(file, v, into));
        }
    }
}
