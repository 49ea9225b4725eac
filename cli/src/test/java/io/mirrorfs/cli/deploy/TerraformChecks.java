package io.mirrorfs.cli.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code terraform validate} would catch without providers, checked on hcl2json's output. Each
 * check returns its problems (empty when the code is fine) so a test can show all of them at once.
 */
final class TerraformChecks {

    /** var.X, local.X, module.X[.OUTPUT] and data.TYPE.NAME; not preceded by a name or a dot. */
    private static final Pattern NAMED_REFERENCE = Pattern.compile(
            "(?<![\\w.])(var|local|module|data)\\.([A-Za-z_][\\w-]*)(?:\\[[^\\]]*\\])?(?:\\.([A-Za-z_][\\w-]*))?");

    /** Resource references: TYPE.NAME for the providers the modules use. */
    private static final Pattern RESOURCE_REFERENCE =
            Pattern.compile("(?<![\\w.])((?:aws|google|azurerm)_[a-z0-9_]+)\\.([A-Za-z_][\\w-]*)");

    /** Module arguments that Terraform itself defines, not the module's variables. */
    private static final Set<String> MODULE_META_ARGUMENTS =
            Set.of("source", "version", "count", "for_each", "providers", "depends_on");

    /**
     * Variables whose names say their values come from a constrained domain (a role, a count, a
     * CIDR, a port, a region or volume name, a digest...) must say so in a validation block.
     */
    private static final Pattern CONSTRAINED_VARIABLE = Pattern.compile(
            "^(role|volume|service)$|(^|_)(region_name|node_count|cidr|cidrs|port|sha256|url|bucket_name|account_name|location|zones|region)$");

    private TerraformChecks() {}

    /** The expressions inside strings: every ${...} and %{...} segment, braces matched. */
    static List<String> expressions(String text) {
        List<String> segments = new ArrayList<>();
        for (int i = 0; i + 1 < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == '$' || c == '%') && text.charAt(i + 1) == '{') {
                if (i > 0 && text.charAt(i - 1) == c) {
                    continue; // $${ and %%{ are escapes for a literal ${ and %{
                }
                int depth = 0;
                int end = i + 1;
                for (; end < text.length(); end++) {
                    if (text.charAt(end) == '{') {
                        depth++;
                    } else if (text.charAt(end) == '}' && --depth == 0) {
                        break;
                    }
                }
                segments.add(text.substring(i + 2, Math.min(end, text.length())));
                i = end;
            }
        }
        return segments;
    }

    /**
     * Every reference resolves in the module: var.X to a variable, local.X to a local, module.X to a
     * module call (and module.X.OUTPUT to an output of a local child module), data.T.N and T.N to
     * declared data sources and resources.
     */
    static List<String> unresolvedReferences(TerraformModule module, Function<Path, TerraformModule> loadChild) {
        Set<String> problems = new LinkedHashSet<>();
        for (TerraformModule.Located located : module.strings()) {
            for (String expression : expressions(located.text())) {
                String where = located.file().getFileName() + ": ";
                Matcher named = NAMED_REFERENCE.matcher(expression);
                while (named.find()) {
                    String kind = named.group(1);
                    String name = named.group(2);
                    String member = named.group(3);
                    switch (kind) {
                        case "var" -> {
                            if (!module.variables().containsKey(name)) {
                                problems.add(where + "var." + name + " is not declared");
                            }
                        }
                        case "local" -> {
                            if (!module.locals().contains(name)) {
                                problems.add(where + "local." + name + " is not declared");
                            }
                        }
                        case "module" -> {
                            Map<String, Object> call = module.moduleCalls().get(name);
                            if (call == null) {
                                problems.add(where + "module." + name + " is not declared");
                            } else if (member != null && localSource(module, call) != null) {
                                TerraformModule child = loadChild.apply(localSource(module, call));
                                if (!child.outputs().containsKey(member)) {
                                    problems.add(where + "module." + name + "." + member + ": the module has no such output");
                                }
                            }
                        }
                        case "data" -> {
                            if (member == null || !module.dataSources().contains(name + "." + member)) {
                                problems.add(where + "data." + name + "." + member + " is not declared");
                            }
                        }
                        default -> throw new AssertionError(kind);
                    }
                }
                Matcher resource = RESOURCE_REFERENCE.matcher(expression);
                while (resource.find()) {
                    String address = resource.group(1) + "." + resource.group(2);
                    if (!module.resources().contains(address)) {
                        problems.add(where + "resource " + address + " is not declared");
                    }
                }
            }
        }
        return List.copyOf(problems);
    }

    /** Every call of a local module passes all its required variables and nothing it does not declare. */
    static List<String> badModuleCalls(TerraformModule module, Function<Path, TerraformModule> loadChild) {
        List<String> problems = new ArrayList<>();
        module.moduleCalls().forEach((name, call) -> {
            Path source = localSource(module, call);
            if (source == null) {
                problems.add("module." + name + ": only local sources (./, ../) can be checked, got " + call.get("source"));
                return;
            }
            TerraformModule child = loadChild.apply(source);
            if (child.variables().isEmpty() && child.outputs().isEmpty()) {
                problems.add("module." + name + ": no module at " + source);
                return;
            }
            child.variables().forEach((variable, body) -> {
                if (!body.containsKey("default") && !call.containsKey(variable)) {
                    problems.add("module." + name + ": required input " + variable + " is not passed");
                }
            });
            call.keySet().stream()
                    .filter(arg -> !MODULE_META_ARGUMENTS.contains(arg) && !child.variables().containsKey(arg))
                    .forEach(arg -> problems.add("module." + name + ": " + arg + " is not a variable of " + source.getFileName()));
        });
        return problems;
    }

    /** Every variable and output says what it is for. */
    static List<String> missingDescriptions(TerraformModule module) {
        List<String> problems = new ArrayList<>();
        module.variables().forEach((name, body) -> {
            if (!(body.get("description") instanceof String d) || d.isBlank()) {
                problems.add("variable " + name + " has no description");
            }
        });
        module.outputs().forEach((name, body) -> {
            if (!(body.get("description") instanceof String d) || d.isBlank()) {
                problems.add("output " + name + " has no description");
            }
        });
        return problems;
    }

    /** Variables with a constrained domain (by name, see CONSTRAINED_VARIABLE) have a validation block. */
    static List<String> missingValidations(TerraformModule module) {
        List<String> problems = new ArrayList<>();
        module.variables().forEach((name, body) -> {
            if (CONSTRAINED_VARIABLE.matcher(name).find() && !(body.get("validation") instanceof List<?> v && !v.isEmpty())) {
                problems.add("variable " + name + " has a constrained domain but no validation block");
            }
        });
        return problems;
    }

    private static Path localSource(TerraformModule module, Map<String, Object> call) {
        if (call.get("source") instanceof String s && (s.startsWith("./") || s.startsWith("../"))) {
            return module.dir().resolve(s).normalize();
        }
        return null;
    }
}
