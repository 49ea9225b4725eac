package io.mirrorfs.cli.up;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code mirrorfs} command run as a real child process (same classpath as the tests), with its
 * output in files. {@link #close} always leaves nothing behind: the process is ended and its mount
 * point lazily unmounted, even when the test failed halfway.
 */
final class CliProcess implements AutoCloseable {
    static final long START_MILLIS_MAX = 180_000; // a loaded 2-core box: JVM + Ratis + first election + mount
    static final long STOP_MILLIS_MAX = 60_000;

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final Path mountPoint;

    private CliProcess(Process process, Path stdout, Path stderr, Path mountPoint) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.mountPoint = mountPoint;
    }

    /** Starts {@code mirrorfs ARGS}; logs go to DIR/NAME.out and DIR/NAME.err. */
    static CliProcess start(Path logDir, String name, Path mountPoint, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-ea:io.mirrorfs...", "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", testClasspath(), "io.mirrorfs.cli.MirrorfsCli"));
        command.addAll(List.of(args));
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new CliProcess(p, out, err, mountPoint);
    }

    /** Surefire puts a manifest-only jar on java.class.path and the real path in this property. */
    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Waits until stdout has a line containing {@code marker}; fails early if the process exits. */
    void awaitOutput(String marker) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS_MAX);
        while (!Files.readString(stdout, StandardCharsets.UTF_8).contains(marker)) {
            if (!process.isAlive()) {
                throw new AssertionError("mirrorfs exited with " + process.exitValue() + " before printing '"
                        + marker + "'; stderr:\n" + tail(stderr));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no '" + marker + "' within " + START_MILLIS_MAX + " ms; stderr:\n" + tail(stderr));
            }
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    /** SIGTERM, then waits for exit; returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy(); // SIGTERM on Unix
        if (!process.waitFor(STOP_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("mirrorfs did not stop within " + STOP_MILLIS_MAX + " ms of SIGTERM");
        }
        return process.exitValue();
    }

    /** Waits (bounded) for a short command to end; returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(START_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("mirrorfs did not end within " + START_MILLIS_MAX + " ms");
        }
        return process.exitValue();
    }

    String stdoutText() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderrText() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(STOP_MILLIS_MAX, TimeUnit.MILLISECONDS);
        }
        if (mountPoint != null && isMounted(mountPoint)) {
            lazyUnmount(mountPoint);
        }
    }

    /**
     * Whether /proc/mounts lists a FUSE mount here. Kept free of client classes on purpose: cleanup
     * must work even when the test failed because those classes could not be loaded.
     */
    static boolean isMounted(Path path) throws IOException {
        String p = path.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[1].replace("\\040", " ").equals(p) && f[2].startsWith("fuse")) {
                return true;
            }
        }
        return false;
    }

    static void lazyUnmount(Path mountPoint) throws IOException, InterruptedException {
        Process u = new ProcessBuilder("fusermount", "-u", "-z", mountPoint.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!u.waitFor(30, TimeUnit.SECONDS)) {
            u.destroyForcibly();
            throw new IOException("fusermount -u -z " + mountPoint + " hung");
        }
    }
}
