package io.mirrorfs.chaos.harness;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A primary region and one mirror region on one docker network (DESIGN §4): the primary's metadata
 * group ({@code p1..pN}, changelog retention waiting for the mirror's acks), the mirror's group
 * ({@code m1..mM}, following the primary's changelog) and the mirror's sync service, each in its own
 * container from the same local image. Both regions' object stores are folders under
 * {@link #sharedDir()}, mounted at the same path in the sync container, so a {@code file://} URI
 * means the same store inside and out (the test's clients write the primary's blocks from the host).
 * Or ({@link #startOnObjectStoreServer}) both stores are buckets on an S3 server in its own container.
 *
 * <p>{@link #close()} saves every container's output to the run folder, then removes the containers
 * and the network, also after a failure.
 */
public final class TwoRegionCluster implements AutoCloseable {
    public static final String MIRROR_REGION = "eu";
    private static final int PRIMARY_FIRST_OCTET = 11;
    private static final int MIRROR_FIRST_OCTET = 21;
    private static final int SYNC_OCTET = 31;
    private static final String SYNC_ID = "sync";
    private static final int STORE_SERVER_OCTET = 41;
    private static final String STORE_SERVER_ID = "s3";
    private static final String PRIMARY_BUCKET = "region-primary";
    private static final String MIRROR_BUCKET = "region-" + MIRROR_REGION;
    /** Both regions' block keys live under this prefix of their bucket (a prefix is part of the URI under test). */
    private static final String STORE_PREFIX = "blocks";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** What runs in the sync container: {@code java MAIN ARGS...}, printing {@code READY sync} once running. */
    @FunctionalInterface
    public interface SyncProgram {
        List<String> command(MetaGroup mirrorGroup, Path primaryStore, Path mirrorStore, Path storeFaultFile);
    }

    /** @param volume the primary's volume name, which the mirror nodes are told to follow */
    public record Layout(int primaryNodes, int mirrorNodes, String volume) {
        public Layout {
            if (primaryNodes < 1 || primaryNodes > 9 || mirrorNodes < 1 || mirrorNodes > 9) {
                throw new IllegalArgumentException("1..9 nodes per region: " + primaryNodes + ", " + mirrorNodes);
            }
        }
    }

    private final RunNetwork network;
    private final Path runDir;
    private ContainerCluster primary;
    private ContainerCluster mirror;
    private NodeContainer sync;
    private ObjectStoreServer objectStoreServer;
    private final List<NodeContainer> services = new ArrayList<>();
    private Classpath classpath;

    private TwoRegionCluster(RunNetwork network, Path runDir) {
        this.network = network;
        this.runDir = runDir;
    }

    /**
     * What runs in the sync container when both stores are buckets on an {@link ObjectStoreServer}:
     * {@code java MAIN ARGS...}, copying into {@code mirrorStoreUri}, printing {@code READY sync}.
     */
    @FunctionalInterface
    public interface StoreUriSyncProgram {
        List<String> command(MetaGroup mirrorGroup, String mirrorStoreUri, Path storeFaultFile);
    }

    /** Starts both regions and the sync service; on failure removes everything created so far. */
    public static TwoRegionCluster start(String runLabel, Path runDir, long seed, Layout layout, SyncProgram syncProgram)
            throws Exception {
        return start(runLabel, runDir, seed, layout, null, regions -> syncProgram.command(regions.mirror.group(),
                regions.primaryStore(), regions.mirrorStore(), regions.storeFaultFile()), List.of());
    }

    /**
     * As {@link #start}, but each region's object store is a bucket on a real S3 server in its own
     * container ({@link #objectStoreServer()}, started first), addressed by {@code s3://} URIs
     * ({@link #primaryStoreUri()}, {@link #mirrorStoreUri()}); the sync container gets the server's
     * credentials in its environment.
     */
    public static TwoRegionCluster startOnObjectStoreServer(String runLabel, Path runDir, long seed, Layout layout,
                                                            ObjectStoreServer.Program server,
                                                            StoreUriSyncProgram syncProgram) throws Exception {
        return start(runLabel, runDir, seed, layout, server, regions -> syncProgram.command(regions.mirror.group(),
                regions.mirrorStoreUri(), regions.storeFaultFile()), ObjectStoreServer.credentialDockerArgs());
    }

    private static TwoRegionCluster start(String runLabel, Path runDir, long seed, Layout layout,
                                          ObjectStoreServer.Program serverProgram,
                                          java.util.function.Function<TwoRegionCluster, List<String>> syncCommand,
                                          List<String> syncDockerArgs) throws Exception {
        LocalImage.ensureBuilt();
        Classpath classpath = withOwnCopies(Classpath.ofThisJvm(), runDir);
        TwoRegionCluster regions = new TwoRegionCluster(RunNetwork.create(runLabel, seed), runDir);
        regions.classpath = classpath;
        try {
            Files.createDirectories(regions.primaryStore());
            Files.createDirectories(regions.mirrorStore());
            Files.writeString(regions.storeFaultFile(), "none\n", StandardCharsets.UTF_8);
            if (serverProgram != null) {
                regions.objectStoreServer = ObjectStoreServer.start(regions.network, runDir, classpath, STORE_SERVER_ID,
                        STORE_SERVER_OCTET, serverProgram, List.of(PRIMARY_BUCKET, MIRROR_BUCKET));
            }
            regions.primary = ContainerCluster.startGroup(regions.network, runDir, classpath, new ContainerCluster.GroupSpec(
                    "primary-" + runLabel, "p", PRIMARY_FIRST_OCTET, layout.primaryNodes(),
                    List.of("--changelog-mirrors", MIRROR_REGION)));
            MetaGroup primaryGroup = regions.primary.group();
            String primaryPeers = String.join(",", primaryGroup.peers().stream().map(MetaPeer::toString).toList());
            regions.mirror = ContainerCluster.startGroup(regions.network, runDir, classpath, new ContainerCluster.GroupSpec(
                    MIRROR_REGION + "-" + runLabel, "m", MIRROR_FIRST_OCTET, layout.mirrorNodes(),
                    List.of("--region", MIRROR_REGION, "--mirror-of", primaryPeers,
                            "--primary-group", primaryGroup.name(), "--volume", layout.volume())));
            MetaPeer syncAddress = new MetaPeer(SYNC_ID, regions.network.host(SYNC_OCTET), ContainerCluster.RAFT_PORT);
            Path syncData = runDir.resolve("data").resolve(SYNC_ID);
            Files.createDirectories(syncData);
            regions.sync = new NodeContainer(regions.network.name() + "-" + SYNC_ID, syncAddress, syncData);
            regions.sync.createRunning(regions.network.name(), runLabel, classpath, syncCommand.apply(regions),
                    List.of(regions.sharedDir()), syncDockerArgs);
            regions.sync.start();
            regions.awaitSyncReady(1);
            return regions;
        } catch (Exception | AssertionError e) {
            try {
                regions.close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * The JVM's classpath with SNAPSHOT jars and this module's class folders copied into the run
     * folder: other engineers re-install modules and recompile this module's test classes while a run
     * goes on, and a node (or the sync, whose main class is a test class) restarted later must still
     * load the same classes.
     */
    private static Classpath withOwnCopies(Classpath jvm, Path runDir) throws IOException {
        Classpath jars = jvm.withSnapshotJarsCopiedTo(runDir.resolve("lib"));
        List<Path> out = new ArrayList<>();
        int n = 0;
        for (Path e : jars.entries()) {
            if (Files.isDirectory(e) && e.toString().contains("chaos-tests")) {
                Path copy = runDir.resolve("classes-" + (n++));
                copyTree(e, copy);
                out.add(copy);
            } else {
                out.add(e);
            }
        }
        return new Classpath(out);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public ContainerCluster primary() {
        return primary;
    }

    public ContainerCluster mirror() {
        return mirror;
    }

    public NodeContainer sync() {
        return sync;
    }

    /** The S3 server holding both regions' buckets; only in runs started with {@link #startOnObjectStoreServer}. */
    public ObjectStoreServer objectStoreServer() {
        if (objectStoreServer == null) {
            throw new IllegalStateException("this run's stores are host folders, not an object store server");
        }
        return objectStoreServer;
    }

    public boolean hasObjectStoreServer() {
        return objectStoreServer != null;
    }

    /** The primary region's store: {@code s3://region-primary/blocks?endpoint=...}. */
    public String primaryStoreUri() {
        return objectStoreServer().storeUri(PRIMARY_BUCKET, STORE_PREFIX);
    }

    /** The mirror region's store: {@code s3://region-eu/blocks?endpoint=...}. */
    public String mirrorStoreUri() {
        return objectStoreServer().storeUri(MIRROR_BUCKET, STORE_PREFIX);
    }

    /** Host folder shared with the sync container (same path inside): both stores and the fault file. */
    public Path sharedDir() {
        return runDir.resolve("shared");
    }

    public Path primaryStore() {
        return sharedDir().resolve("store-primary");
    }

    public Path mirrorStore() {
        return sharedDir().resolve("store-mirror");
    }

    /** The object-store fault settings the sync service polls (one line; "none" = no faults). */
    public Path storeFaultFile() {
        return sharedDir().resolve("store-faults");
    }

    /**
     * Starts one more service container on the run's network at host octet {@code hostOctet} (e.g. the
     * primary region's own sync service, idle while it is the primary and copying once a switchover
     * makes it a mirror), with the shared folder mounted; waits until it prints {@code READY id}.
     * {@link #close()} saves its output and removes it with the rest.
     */
    public NodeContainer startService(String id, int hostOctet, List<String> program) throws Exception {
        if (hostOctet == SYNC_OCTET || hostOctet == STORE_SERVER_OCTET
                || (hostOctet >= PRIMARY_FIRST_OCTET && hostOctet < PRIMARY_FIRST_OCTET + 9)
                || (hostOctet >= MIRROR_FIRST_OCTET && hostOctet < MIRROR_FIRST_OCTET + 9)) {
            throw new IllegalArgumentException("host octet " + hostOctet + " is reserved for the regions' nodes and sync");
        }
        Path data = runDir.resolve("data").resolve(id);
        Files.createDirectories(data);
        NodeContainer service = new NodeContainer(network.name() + "-" + id,
                new MetaPeer(id, network.host(hostOctet), ContainerCluster.RAFT_PORT), data);
        services.add(service);
        service.createRunning(network.name(), network.runLabel(), classpath, program, List.of(sharedDir()));
        service.start();
        Await.until(id + " to print READY", START_TIMEOUT, () -> {
            String state = service.state();
            if (state.equals("exited") || state.equals("dead")) {
                throw new IllegalStateException(id + " exited; last output:\n" + ContainerCluster.tail(service.allOutput(), 40));
            }
            return service.readyCount() >= 1;
        });
        return service;
    }

    public void killSync() throws IOException, InterruptedException {
        sync.kill9();
    }

    /** Starts the killed sync container again and waits for its next READY line. */
    public void restartSync() throws Exception {
        int before = sync.readyCount();
        sync.start();
        awaitSyncReady(before + 1);
    }

    private void awaitSyncReady(int readyLines) throws Exception {
        Await.until("the sync service to print READY", START_TIMEOUT, () -> {
            String state = sync.state();
            if (state.equals("exited") || state.equals("dead")) {
                throw new IllegalStateException("the sync service exited; last output:\n"
                        + ContainerCluster.tail(sync.allOutput(), 40));
            }
            return sync.readyCount() >= readyLines;
        });
    }

    /** Saves every container's output, removes every container of the run, then the network. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (primary != null) {
            primary.saveLogs();
        }
        if (mirror != null) {
            mirror.saveLogs();
        }
        List<NodeContainer> withOutput = new ArrayList<>(services);
        if (sync != null) {
            withOutput.add(0, sync);
        }
        if (objectStoreServer != null) {
            withOutput.add(objectStoreServer.node());
        }
        for (NodeContainer c : withOutput) {
            try {
                Files.writeString(runDir.resolve(c.id() + ".log"), c.allOutput(), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                // the container may never have been created; the run still reports its verdicts
            }
        }
        IOException first = null;
        String ids = Docker.docker("ps", "-aq", "--filter", "label=" + ContainerCluster.LABEL + "=" + network.runLabel());
        for (String id : ids.split("\\s+")) {
            if (id.isBlank()) {
                continue;
            }
            try {
                if (Docker.docker("inspect", "--format", "{{.State.Paused}}", id).equals("true")) {
                    Docker.docker("unpause", id); // a paused container cannot be removed on every engine version
                }
                Docker.docker("rm", "-f", "-v", id);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            network.remove();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
