package io.mirrorfs.store.azure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Azurite's blob service as a child process on a free loopback port, data in a temp folder. Fails
 * (never skips) when Azurite is missing, with the command that installs it.
 */
public final class AzuriteServer implements AutoCloseable {

    /** Azurite's published development account; not a secret. */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final Process process;
    private final Path dir;
    private final int port;

    private AzuriteServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static AzuriteServer start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher());
        int port = freePort();
        Path dir = Files.createTempDirectory("mirrorfs-azurite");
        command.addAll(List.of("--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port),
                "--location", dir.toString(), "--skipApiVersionCheck", "--silent"));
        Path log = dir.resolve("azurite.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AzuriteServer server = new AzuriteServer(process, dir, port);
        try {
            server.awaitPort(log);
            return server;
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /** Prefers the installed azurite-blob binary (no network); else npx, which fails offline if missing. */
    private static List<String> launcher() throws IOException, InterruptedException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "azurite-blob");
            if (Files.isExecutable(candidate)) {
                return List.of(candidate.toString());
            }
        }
        throw new IllegalStateException("Azurite is not installed (no azurite-blob on PATH); the Azure contract test"
                + " needs it. Install it with: npm install -g azurite");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitPort(Path log) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Azurite exited with " + process.exitValue() + " before listening; log:\n"
                        + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                // Not listening yet: wait on the process briefly instead of a blind sleep, then poll again.
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
        throw new IOException("Azurite did not listen on port " + port + " within " + START_TIMEOUT_MILLIS
                + " ms; log:\n" + Files.readString(log));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
