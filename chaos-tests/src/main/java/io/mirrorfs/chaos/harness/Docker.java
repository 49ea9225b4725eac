package io.mirrorfs.chaos.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI and nsenter, run as child processes with a timeout each. The harness drives Docker
 * through its CLI rather than Testcontainers: the nemeses need docker kill/start of the same container
 * (same data, same address), pause/unpause and the container's network namespace (nsenter for iptables
 * and tc), which Testcontainers' GenericContainer does not model (it removes a container on stop), and
 * Testcontainers would be the module's only dependency not already in the offline Maven repository.
 */
public final class Docker {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Output kept per command; docker logs of a chatty node can be large. */
    private static final int OUTPUT_BYTES_MAX = 16 * 1024 * 1024;

    private Docker() {}

    /** Runs {@code docker ARGS...}; returns trimmed stdout; throws if it fails or exceeds the timeout. */
    public static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return run(cmd, DEFAULT_TIMEOUT, null);
    }

    public static String dockerWithInput(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return run(cmd, DEFAULT_TIMEOUT, stdin);
    }

    /** Runs a command inside the network namespace of process {@code pid} (a container's init). */
    public static String inNetns(long pid, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n"));
        cmd.addAll(List.of(args));
        return run(cmd, DEFAULT_TIMEOUT, null);
    }

    /** Whether the docker engine answers (the test set-up starts it with scripts/docker-engine.sh). */
    public static boolean engineAvailable() {
        try {
            docker("version", "--format", "{{.Server.Version}}");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static boolean commandExists(String command) {
        try {
            return run(List.of("sh", "-c", "command -v " + command), Duration.ofSeconds(10), null).length() > 0;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String run(List<String> cmd, Duration timeout, byte[] stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin);
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd));
            }
            String stdout = new String(out.join(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + ": "
                        + new String(err.join(), StandardCharsets.UTF_8).trim());
            }
            return stdout;
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /**
     * Reads a stream to its end on its own daemon thread (not the common pool, which may be tiny or
     * busy: a child blocked on a full stderr pipe would then never exit).
     */
    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("docker-cli-drain").start(() -> {
            try (in) {
                byte[] all = in.readNBytes(OUTPUT_BYTES_MAX);
                in.transferTo(java.io.OutputStream.nullOutputStream());
                result.complete(all);
            } catch (IOException e) {
                result.complete(("<output lost: " + e + ">").getBytes(StandardCharsets.UTF_8));
            }
        });
        return result;
    }
}
