package io.mirrorfs.chaos.harness;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The classpath a node JVM runs with: this test JVM's (surefire's real test classpath, which holds
 * mirrorfs-cli's dependencies and so the metadata server), mounted into the containers at the same
 * paths so no path has to be rewritten.
 */
public record Classpath(List<Path> entries) {

    public Classpath {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("empty classpath");
        }
    }

    public static Classpath ofThisJvm() {
        // Surefire may run tests from a manifest-only jar; this property has the real entries.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> entries = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank() && Files.exists(Path.of(e))) {
                entries.add(Path.of(e).toAbsolutePath().normalize());
            }
        }
        return new Classpath(entries);
    }

    /**
     * A copy of this classpath whose SNAPSHOT jars are copied into {@code dir}: other engineers
     * re-install the project's modules into the local repository while a run goes on, and a node JVM
     * that loads a class lazily from a replaced jar dies with NoClassDefFoundError. Release jars are
     * immutable and stay where they are.
     */
    public Classpath withSnapshotJarsCopiedTo(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (Path e : entries) {
            String name = e.getFileName().toString();
            if (Files.isRegularFile(e) && name.endsWith(".jar") && name.contains("SNAPSHOT")) {
                Path copy = dir.resolve(name);
                Files.copy(e, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                out.add(copy);
            } else {
                out.add(e);
            }
        }
        return new Classpath(out);
    }

    public String asArgument() {
        return String.join(File.pathSeparator, entries.stream().map(Path::toString).toList());
    }

    /**
     * Host paths to bind-mount read-only so every entry resolves in the container: the local Maven
     * repository as one mount, other entries (module class folders and jars) one by one.
     */
    public Set<Path> mountRoots() {
        Path repo = Path.of(System.getProperty("maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository")).toAbsolutePath().normalize();
        Set<Path> roots = new LinkedHashSet<>();
        for (Path e : entries) {
            roots.add(e.startsWith(repo) ? repo : e);
        }
        return roots;
    }
}
