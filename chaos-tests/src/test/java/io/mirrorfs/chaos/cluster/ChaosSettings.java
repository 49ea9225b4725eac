package io.mirrorfs.chaos.cluster;

import io.mirrorfs.chaos.harness.Docker;
import java.nio.file.Path;

/** Run settings from system properties: -Dchaos.seed=N replays a seed, -Dchaos.seconds=N sets the length. */
public final class ChaosSettings {
    static final int SECONDS_DEFAULT = 60;
    static final int SECONDS_MAX = 24 * 3600;

    private ChaosSettings() {}

    public static long seed() {
        String s = System.getProperty("chaos.seed", "").trim();
        return s.isEmpty() ? System.currentTimeMillis() % 1_000_000 : Long.parseLong(s);
    }

    public static int seconds() {
        String s = System.getProperty("chaos.seconds", "").trim();
        int n = s.isEmpty() ? SECONDS_DEFAULT : Integer.parseInt(s);
        if (n < 5 || n > SECONDS_MAX) {
            throw new IllegalArgumentException("chaos.seconds must be 5.." + SECONDS_MAX + ": " + n);
        }
        return n;
    }

    /** A fresh (emptied) folder for this run: a replay must not recover the previous run's node data. */
    public static Path runDir(String test, long seed) throws java.io.IOException {
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
                .resolve("target").resolve("chaos").resolve(test + "-" + seed);
        if (java.nio.file.Files.exists(dir)) {
            try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
        java.nio.file.Files.createDirectories(dir);
        return dir;
    }

    /** Fails loudly (not skipped) without an engine: CI must run scripts/docker-engine.sh first. */
    public static void requireDocker() {
        if (!Docker.engineAvailable()) {
            throw new AssertionError("no docker engine answers; start one with: sudo scripts/docker-engine.sh");
        }
    }
}
