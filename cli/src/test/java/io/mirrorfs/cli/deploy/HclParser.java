package io.mirrorfs.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Parses Terraform files with HashiCorp's own HCL parser: no terraform binary is reachable, but
 * {@code @cdktf/hcl2json} (the Go parser compiled to wasm) is on npm. It runs in one node process per
 * call, installed under deploy/terraform/.tools by {@code npm ci} (CI does this; see the README).
 *
 * <p>The JSON it prints keeps every expression as its source text wrapped in {@code ${...}}, which
 * is what the reference checks scan.
 */
final class HclParser {

    static final String INSTALL_HINT =
            "install Node.js >= 18 and run: npm ci --prefix deploy/terraform/.tools";

    /** Parsing a few dozen files takes about a second; anything near this is a hung process. */
    private static final long PARSE_SECONDS_MAX = 120;

    private static final String BRIDGE_JS = """
            // Prints {"files": {path: parsed}, "errors": {path: message}} for the files on the command line.
            const { parse } = require(process.argv[2] + "/node_modules/@cdktf/hcl2json");
            const fs = require("fs");
            (async () => {
              const out = { files: {}, errors: {} };
              for (const file of process.argv.slice(3)) {
                try {
                  out.files[file] = await parse(file, fs.readFileSync(file, "utf8"));
                } catch (e) {
                  out.errors[file] = String(e && e.message ? e.message : e);
                }
              }
              process.stdout.write(JSON.stringify(out));
            })().catch((e) => { console.error(String(e)); process.exit(2); });
            """;

    /** The result of parsing some files: a JSON-shaped tree per parsed file, a message per failure. */
    record Result(Map<Path, Map<String, Object>> files, Map<Path, String> errors) {}

    private HclParser() {}

    static Result parse(List<Path> files) {
        Path tools = DeployTree.terraformDir().resolve(".tools");
        if (!Files.isDirectory(tools.resolve("node_modules/@cdktf/hcl2json"))) {
            throw new AssertionError("the HCL parser is not installed under " + tools + ": " + INSTALL_HINT);
        }
        try {
            Path bridge = Files.createTempFile("hcl2json-bridge", ".js");
            Path stdout = Files.createTempFile("hcl2json-out", ".json");
            Path stderr = Files.createTempFile("hcl2json-err", ".txt");
            try {
                Files.writeString(bridge, BRIDGE_JS);
                List<String> command = new ArrayList<>(List.of("node", bridge.toString(), tools.toString()));
                files.forEach(f -> command.add(f.toAbsolutePath().toString()));
                Process process;
                try {
                    process = new ProcessBuilder(command)
                            .redirectOutput(stdout.toFile())
                            .redirectError(stderr.toFile())
                            .start();
                } catch (IOException e) {
                    throw new AssertionError("cannot run node (" + e.getMessage() + "): " + INSTALL_HINT, e);
                }
                if (!process.waitFor(PARSE_SECONDS_MAX, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("hcl2json did not finish within " + PARSE_SECONDS_MAX + " s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError("hcl2json failed (exit " + process.exitValue() + "): "
                            + Files.readString(stderr) + "\n" + INSTALL_HINT);
                }
                return toResult(Files.readString(stdout, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(bridge);
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while parsing HCL", e);
        }
    }

    /** Parses files that must be valid, failing with every parser message otherwise. */
    static Map<Path, Map<String, Object>> parseValid(List<Path> files) {
        Result result = parse(files);
        if (!result.errors().isEmpty()) {
            throw new AssertionError("HCL syntax errors:\n" + String.join("\n", result.errors().values()));
        }
        return result.files();
    }

    @SuppressWarnings("unchecked")
    private static Result toResult(String json) {
        // JSON is YAML's flow style, and SnakeYAML is already on the classpath (the topology loader).
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(64 << 20);
        Map<String, Object> root = (Map<String, Object>) new Yaml(options).load(json);
        Map<Path, Map<String, Object>> parsed = new LinkedHashMap<>();
        ((Map<String, Object>) root.get("files")).forEach((k, v) -> parsed.put(Path.of(k), (Map<String, Object>) v));
        Map<Path, String> errors = new LinkedHashMap<>();
        ((Map<String, Object>) root.get("errors")).forEach((k, v) -> errors.put(Path.of(k), String.valueOf(v)));
        return new Result(parsed, errors);
    }
}
