package io.mirrorfs.meta.server;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.proto.NodeStatusReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Metadata nodes as separate JVMs on loopback ({@link MetaServerMain} with this test's classpath), so
 * tests can kill -9 them. Every process is destroyed in {@link #close()}, also when a test fails.
 */
final class ProcessCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    private final Path baseDir;
    private final MetaGroup group;
    private final List<String> extraArgs;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** One log file per launch, so a restart's READY is not the previous run's. */
    private final Map<String, Path> logs = new LinkedHashMap<>();

    ProcessCluster(Path baseDir, int nodes, List<String> extraArgs) throws IOException {
        this.baseDir = baseDir;
        this.extraArgs = List.copyOf(extraArgs);
        StringBuilder peers = new StringBuilder();
        for (int i = 1; i <= nodes; i++) {
            peers.append(i > 1 ? "," : "").append("n").append(i).append("=127.0.0.1:").append(TestPorts.freePortPair());
        }
        this.group = MetaGroup.parse("cluster-" + System.nanoTime(), peers.toString());
    }

    MetaGroup group() {
        return group;
    }

    Path dataDir(String id) {
        return baseDir.resolve(id);
    }

    void startAll() throws Exception {
        for (MetaPeer p : group.peers()) {
            launch(p.id());
        }
        for (MetaPeer p : group.peers()) {
            awaitReady(p.id());
        }
    }

    void start(String id) throws Exception {
        launch(id);
        awaitReady(id);
    }

    private void launch(String id) throws IOException {
        Process old = processes.get(id);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException(id + " is already running");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-ea:io.mirrorfs...", "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MetaServerMain.class.getName(),
                "--id", id, "--peers", peerList(), "--group", group.name(), "--data", dataDir(id).toString()));
        cmd.addAll(extraArgs);
        Path log = baseDir.resolve(id + "-" + System.nanoTime() + ".log");
        logs.put(id, log);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.put(id, p);
    }

    private void awaitReady(String id) throws Exception {
        Path log = logs.get(id);
        Process p = processes.get(id);
        Await.until(id + " to print READY (log " + log + ")", START_TIMEOUT, () -> {
            if (!p.isAlive()) {
                throw new IllegalStateException(id + " exited with " + p.exitValue() + "; see " + log);
            }
            return Files.exists(log) && Files.readString(log).contains("READY " + id);
        });
    }

    private String peerList() {
        return String.join(",", group.peers().stream().map(MetaPeer::toString).toList());
    }

    /** The output of the node's current (or last) process. */
    String log(String id) throws IOException {
        return Files.readString(logs.get(id));
    }

    /** SIGKILL: no shutdown hook, no flush beyond what was already fsynced. */
    void kill9(String id) throws InterruptedException {
        Process p = processes.get(id);
        p.destroyForcibly();
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + " survived SIGKILL");
        }
    }

    NodeStatusReply status(String id, boolean withDigest) {
        try (MetadataAdminClient admin = new MetadataAdminClient(group.peer(id), ADMIN_TIMEOUT)) {
            return withDigest ? admin.nodeStatusWithDigest() : admin.nodeStatus();
        }
    }

    long takeSnapshot(String id) {
        try (MetadataAdminClient admin = new MetadataAdminClient(group.peer(id), Duration.ofSeconds(60))) {
            return admin.takeSnapshot();
        }
    }

    /** The id of a node that reports itself LEADER, waiting for an election if needed. */
    String awaitLeader(Duration timeout) throws Exception {
        String[] leader = new String[1];
        Await.until("a leader", timeout, () -> {
            for (MetaPeer peer : group.peers()) {
                Process p = processes.get(peer.id());
                if (p == null || !p.isAlive()) {
                    continue;
                }
                try {
                    if (status(peer.id(), false).getRole().equals("LEADER")) {
                        leader[0] = peer.id();
                        return true;
                    }
                } catch (RuntimeException unreachable) {
                    // starting or down: ask the next one
                }
            }
            return false;
        });
        return leader[0];
    }

    @Override
    public void close() throws InterruptedException {
        for (Map.Entry<String, Process> e : processes.entrySet()) {
            Process p = e.getValue();
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        }
    }
}
