package io.mirrorfs.chaos.harness;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.proto.NodeStatusReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A metadata group of N nodes, each in its own container, all on one docker bridge network created for
 * this run. Addressing: every node has a fixed IP on the run's subnet and the same Raft port; the host
 * (the test JVM and its clients) reaches the bridge subnet directly, so the addresses Ratis advertises
 * work for peers and clients alike, without port mapping.
 *
 * <p>{@link #close()} removes every container labelled with this run and the network, also after a
 * failure; containers' logs are saved to the run folder first.
 */
public final class ContainerCluster implements AutoCloseable {
    static final String LABEL = "io.mirrorfs.chaos.run";
    public static final int RAFT_PORT = 9860;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(3);
    /** Subnets tried for the run's network: 172.31.X.0/24, X from the seed, moving on if one is taken. */
    private static final int SUBNET_ATTEMPTS_MAX = 20;

    private final String runLabel;
    private final String network;
    private final Path runDir;
    private final MetaGroup group;
    private final Map<String, NodeContainer> nodes = new LinkedHashMap<>();
    private boolean networkCreated;

    private ContainerCluster(String runLabel, String network, Path runDir, MetaGroup group) {
        this.runLabel = runLabel;
        this.network = network;
        this.runDir = runDir;
        this.group = group;
    }

    /**
     * Creates the network and the containers and starts every node, waiting until each printed READY.
     * On any failure everything created so far is removed before the exception propagates.
     */
    public static ContainerCluster start(String runLabel, Path runDir, int nodeCount, long seed) throws Exception {
        LocalImage.ensureBuilt();
        Classpath classpath = Classpath.ofThisJvm().withSnapshotJarsCopiedTo(runDir.resolve("lib"));
        String network = "mirrorfs-chaos-" + runLabel;
        Random random = new Random(seed);
        String subnetPrefix = null;
        IOException lastError = null;
        for (int attempt = 0; attempt < SUBNET_ATTEMPTS_MAX && subnetPrefix == null; attempt++) {
            String prefix = "172.31." + (16 + random.nextInt(224));
            try {
                Docker.docker("network", "create", "--driver", "bridge", "--subnet", prefix + ".0/24",
                        "--label", LABEL + "=" + runLabel, network);
                subnetPrefix = prefix;
            } catch (IOException taken) {
                lastError = taken; // overlapping subnet of another run: try another
            }
        }
        if (subnetPrefix == null) {
            throw new IOException("could not create a docker network for " + runLabel, lastError);
        }
        List<MetaPeer> peers = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            peers.add(new MetaPeer("n" + i, subnetPrefix + "." + (10 + i), RAFT_PORT));
        }
        MetaGroup group = new MetaGroup("chaos-" + runLabel, peers);
        ContainerCluster cluster = new ContainerCluster(runLabel, network, runDir, group);
        cluster.networkCreated = true;
        try {
            String peerList = String.join(",", peers.stream().map(MetaPeer::toString).toList());
            for (MetaPeer p : peers) {
                Path data = runDir.resolve("data").resolve(p.id());
                Files.createDirectories(data);
                NodeContainer node = new NodeContainer(network + "-" + p.id(), p, data);
                cluster.nodes.put(p.id(), node);
                node.create(network, runLabel, classpath, peerList, group.name());
            }
            for (NodeContainer node : cluster.nodes.values()) {
                node.start();
            }
            for (NodeContainer node : cluster.nodes.values()) {
                cluster.awaitReady(node, 1);
            }
            return cluster;
        } catch (Exception | AssertionError e) {
            try {
                cluster.close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * One metadata group of a multi-group run: {@code nodeCount} nodes {@code idPrefix1..N} at
     * {@code network.host(firstHostOctet + i)}, each MetaServerMain also given {@code extraServerArgs}.
     */
    public record GroupSpec(String groupName, String idPrefix, int firstHostOctet, int nodeCount,
                            List<String> extraServerArgs) {
        public GroupSpec {
            if (nodeCount < 1 || firstHostOctet + nodeCount > 254) {
                throw new IllegalArgumentException("bad node count or addresses: " + nodeCount + " from ." + firstHostOctet);
            }
            extraServerArgs = List.copyOf(extraServerArgs);
        }
    }

    /**
     * Starts one group on a network the caller owns ({@link RunNetwork}): closing this cluster removes
     * every container of the run (by label), but not the network. Waits for every node's READY; on
     * failure removes what it created.
     */
    public static ContainerCluster startGroup(RunNetwork network, Path runDir, Classpath classpath, GroupSpec spec)
            throws Exception {
        List<MetaPeer> peers = new ArrayList<>();
        for (int i = 1; i <= spec.nodeCount(); i++) {
            peers.add(new MetaPeer(spec.idPrefix() + i, network.host(spec.firstHostOctet() + i - 1), RAFT_PORT));
        }
        MetaGroup group = new MetaGroup(spec.groupName(), peers);
        ContainerCluster cluster = new ContainerCluster(network.runLabel(), network.name(), runDir, group);
        try {
            String peerList = String.join(",", peers.stream().map(MetaPeer::toString).toList());
            for (MetaPeer p : peers) {
                Path data = runDir.resolve("data").resolve(p.id());
                Files.createDirectories(data);
                NodeContainer node = new NodeContainer(network.name() + "-" + p.id(), p, data);
                cluster.nodes.put(p.id(), node);
                node.create(network.name(), network.runLabel(), classpath, peerList, group.name(), spec.extraServerArgs());
            }
            for (NodeContainer node : cluster.nodes.values()) {
                node.start();
            }
            for (NodeContainer node : cluster.nodes.values()) {
                cluster.awaitReady(node, 1);
            }
            return cluster;
        } catch (Exception | AssertionError e) {
            try {
                cluster.close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    public MetaGroup group() {
        return group;
    }

    /** The docker network the nodes are on (a client container joins it). */
    public String networkName() {
        return network;
    }

    public String runLabel() {
        return runLabel;
    }

    public Path runDir() {
        return runDir;
    }

    /** An address on the nodes' /24 subnet (host part {@code lastOctet}), e.g. for a client container. */
    public String address(int lastOctet) {
        if (lastOctet < 2 || lastOctet > 254) {
            throw new IllegalArgumentException("host octet out of 2..254: " + lastOctet);
        }
        String nodeIp = group.peers().get(0).host();
        return nodeIp.substring(0, nodeIp.lastIndexOf('.') + 1) + lastOctet;
    }

    public List<NodeContainer> nodes() {
        return List.copyOf(nodes.values());
    }

    public NodeContainer node(String id) {
        NodeContainer n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return n;
    }

    /** Starts a killed node again and waits for its new READY line. */
    public void restart(NodeContainer node) throws Exception {
        int before = node.readyCount();
        node.start();
        awaitReady(node, before + 1);
    }

    private void awaitReady(NodeContainer node, int readyLines) throws Exception {
        Await.until(node + " to print READY", START_TIMEOUT, () -> {
            String state = node.state();
            if (state.equals("exited") || state.equals("dead")) {
                throw new IllegalStateException(node + " exited; last output:\n" + tail(node.allOutput(), 40));
            }
            return node.readyCount() >= readyLines;
        });
    }

    public Optional<NodeStatusReply> status(NodeContainer node, boolean withDigest) {
        try (MetadataAdminClient admin = new MetadataAdminClient(node.peer(), ADMIN_TIMEOUT)) {
            return Optional.of(withDigest ? admin.nodeStatusWithDigest() : admin.nodeStatus());
        } catch (RuntimeException unreachable) {
            return Optional.empty();
        }
    }

    /** The node that currently reports itself LEADER, if one answers. */
    public Optional<NodeContainer> currentLeader() {
        for (NodeContainer n : nodes.values()) {
            if (status(n, false).map(s -> s.getRole().equals("LEADER")).orElse(false)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    public NodeContainer awaitLeader(Duration timeout) throws Exception {
        NodeContainer[] leader = new NodeContainer[1];
        Await.until("a leader in " + group.name(), timeout, () -> {
            leader[0] = currentLeader().orElse(null);
            return leader[0] != null;
        });
        return leader[0];
    }

    /** Saves each node's output to the run folder (before the containers go away). */
    public void saveLogs() {
        for (NodeContainer n : nodes.values()) {
            try {
                Files.writeString(runDir.resolve(n.id() + ".log"), n.allOutput(), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                // the container may be gone already; the run still reports its verdicts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Removes every container of this run (found by label, so also ones this object lost track of) and
     * the network. Unpauses first: a paused container cannot be removed on every engine version.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        saveLogs();
        IOException first = null;
        String ids = Docker.docker("ps", "-aq", "--filter", "label=" + LABEL + "=" + runLabel);
        for (String id : ids.split("\\s+")) {
            if (id.isBlank()) {
                continue;
            }
            try {
                if (Docker.docker("inspect", "--format", "{{.State.Paused}}", id).equals("true")) {
                    Docker.docker("unpause", id);
                }
                Docker.docker("rm", "-f", "-v", id);
            } catch (IOException e) {
                first = accumulate(first, e);
            }
        }
        if (networkCreated) {
            try {
                Docker.docker("network", "rm", network);
            } catch (IOException e) {
                first = accumulate(first, e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static IOException accumulate(IOException first, IOException e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
