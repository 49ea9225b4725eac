package io.mirrorfs.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the Terraform code lives, found from the test's working directory (the cli module). */
final class DeployTree {

    private DeployTree() {}

    /** The repository root: the nearest ancestor of the working directory holding deploy/terraform. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/terraform/modules"))) {
                return p;
            }
        }
        throw new IllegalStateException("no deploy/terraform/modules above " + dir);
    }

    static Path terraformDir() {
        return repoRoot().resolve("deploy/terraform");
    }

    /** Folders holding .tf files: every module and example (the test tools' folder excluded). */
    static List<Path> terraformModuleDirs() {
        return terraformFiles().stream().map(Path::getParent).distinct().sorted().toList();
    }

    static List<Path> terraformFiles() {
        return filesEndingWith(".tf");
    }

    static List<Path> shellScripts() {
        return filesEndingWith(".sh");
    }

    private static List<Path> filesEndingWith(String suffix) {
        Path root = terraformDir();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> !root.relativize(p).startsWith(".tools"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
