package io.mirrorfs.cli;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import io.mirrorfs.client.fuse.FuseMount;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.meta.SessionTtl;
import io.mirrorfs.client.mirror.ConsistencyMode;
import io.mirrorfs.client.mirror.MirrorMountConfig;
import io.mirrorfs.client.mirror.MirrorMounts;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mirrorfs mount}. Three forms:
 * <ul>
 *   <li>primary: {@code --meta PEERS [--group G] [--store URI]} — as before;
 *   <li>mirror, explicit: {@code --meta PEERS --group G --primary-meta PEERS --primary-group G2
 *       [--primary-store URI] [--store URI] [--consistency MODE]};
 *   <li>any region of a deployment: {@code --topology FILE --region NAME [--consistency MODE]} —
 *       reads from that region, writes to whichever region is the primary now (found from the
 *       regions' own state, not the file's initial roles).
 * </ul>
 * Bad input is reported in one line with exit code 2 and nothing is mounted.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mount a volume with FUSE; runs in the foreground until SIGINT/SIGTERM, then unmounts.")
final class MountCommand implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Option(names = "--topology", description = "the deployment's topology file (with --region)")
    Path topology;

    @Mixin
    TlsOption tls = new TlsOption();

    @Option(names = "--region", description = "with --topology: the region whose metadata and store this mount reads")
    String region;

    @Option(names = "--meta", description = "metadata peers of the region to read from: ID=HOST:PORT[,ID=HOST:PORT...]")
    String meta;

    @Option(names = "--group", description = "its metadata group name; default " + MetaGroup.DEFAULT_NAME)
    String group;

    @Option(names = "--store", description = "its object store URI; default: the one recorded in the volume")
    String store;

    @Option(names = "--primary-meta", description = "mirror mount: the primary region's metadata peers")
    String primaryMeta;

    @Option(names = "--primary-group", description = "mirror mount: the primary region's group name")
    String primaryGroup;

    @Option(names = "--primary-store", description = "mirror mount: the primary's object store URI; default: the one"
            + " recorded in the volume (the primary's)")
    String primaryStore;

    @Option(names = "--consistency", description = "mirror mounts: linearizable | session | bounded:<duration>"
            + " (e.g. bounded:2s); default session")
    String consistency;

    @Option(names = "--consistency-wait-ms", defaultValue = "10000", description = "mirror mounts: how long a read"
            + " waits for the mirror to catch up before failing with EIO; default ${DEFAULT-VALUE}")
    long consistencyWaitMillis;

    @Option(names = "--keep-fetched-blocks", description = "mirror mounts: write blocks read from the primary's"
            + " store into the mirror's (never over an existing object)")
    boolean keepFetchedBlocks;

    @Option(names = "--cache-dir", description = "local block cache folder; default: none")
    Path cacheDir;

    @Option(names = "--cache-size-mib", defaultValue = "1024", description = "local block cache size; default ${DEFAULT-VALUE}")
    long cacheMib;

    @Option(names = "--attr-ttl-ms", defaultValue = "1000", description = "attribute cache TTL (client and kernel);"
            + " default ${DEFAULT-VALUE}; forced to 0 with --consistency linearizable")
    long attrTtlMillis;

    @Option(names = "--entry-ttl-ms", defaultValue = "1000", description = "name lookup cache TTL (client and kernel);"
            + " default ${DEFAULT-VALUE}; forced to 0 with --consistency linearizable")
    long entryTtlMillis;

    @Option(names = "--session-ttl", defaultValue = "30s", description = "how long the metadata server keeps this"
            + " mount's session — and its flock/fcntl locks — after its last heartbeat (every third of it): a dead"
            + " mount's locks go after this long; 3s..24h, e.g. 30s, 2m; default ${DEFAULT-VALUE}")
    String sessionTtl;

    @Parameters(index = "0", description = "mount point")
    Path mountPoint;

    /** Input that cannot work; reported in one line with exit code 2, nothing mounted. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Where a mirror mount reads and where it looks for the primary, as the flags give them. */
    record MirrorPlan(String regionName, MetaGroup group, String storeUri, List<Candidate> mayBePrimary,
                      MirrorMountConfig config) {}

    /** A region that may be the primary; a null store URI means "the volume's recorded one". */
    record Candidate(String name, MetaGroup group, String storeUri) {}

    @Override
    public Integer call() throws Exception {
        Duration sessionTtlParsed;
        try {
            sessionTtlParsed = SessionTtl.parse(sessionTtl);
        } catch (IllegalArgumentException e) {
            System.err.println("mirrorfs mount: --session-ttl: " + e.getMessage());
            return EXIT_USAGE;
        }
        MirrorPlan plan;
        try {
            plan = mirrorPlan(); // validates the flags first: their errors are the useful ones
            tls.apply(topology);
        } catch (UsageException | TopologyException | io.mirrorfs.api.net.TlsException e) {
            System.err.println("mirrorfs mount: " + e.getMessage());
            return EXIT_USAGE;
        }
        boolean linearizable = plan != null && plan.config().consistency() instanceof ConsistencyMode.Linearizable;
        long attrTtl = linearizable ? 0 : attrTtlMillis;
        long entryTtl = linearizable ? 0 : entryTtlMillis;
        if (linearizable && (attrTtlMillis != 0 || entryTtlMillis != 0)) {
            System.err.println("mirrorfs mount: linearizable reads: attribute and entry caches off (TTL 0)");
        }
        VfsConfig config = VfsConfig.defaults().withTtlMillis(attrTtl, entryTtl).withSessionTtl(sessionTtlParsed);
        FuseMount.Options fuse = FuseMount.Options.defaults("mirrorfs").withTimeouts(attrTtl / 1000.0, entryTtl / 1000.0);
        List<AutoCloseable> resources = new ArrayList<>();
        MountedVolume mounted;
        try {
            mounted = plan == null ? mountPrimary(config, fuse, resources) : mountMirror(plan, config, fuse, resources);
        } catch (Exception e) {
            closeAll(resources);
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        FuseMount.exitOnSignals();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                mounted.close();
                closeAll(resources);
                System.err.println("mirrorfs: unmounted " + mountPoint);
            } catch (Exception e) {
                System.err.println("mirrorfs: unmount failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "mirrorfs-unmount"));
        System.out.println("mirrorfs: mounted at " + mounted.mountPoint()
                + (plan == null ? "" : " (region " + plan.regionName() + ", " + plan.config().consistency() + " reads)"));
        System.out.flush();
        stopped.await();
        return 0;
    }

    private MountedVolume mountPrimary(VfsConfig config, FuseMount.Options fuse, List<AutoCloseable> resources)
            throws IOException {
        RaftMetadataClient client = RaftMetadataClient.connect(MetaGroup.parse(groupOrDefault(), meta));
        resources.add(client);
        VolumeInfo volume = MountedVolume.volumeInfo(client, config);
        ObjectStore objects = ObjectStores.open(store != null ? store : volume.getStoreUri());
        resources.add(0, objects);
        return MountedVolume.mount(client, objects, cacheDir, cacheMib << 20, config, mountPoint,
                FuseMount.Options.defaults(volume.getVolume()).withTimeouts(fuse.attrTimeoutSeconds(),
                        fuse.entryTimeoutSeconds()));
    }

    private MountedVolume mountMirror(MirrorPlan plan, VfsConfig config, FuseMount.Options fuse,
                                      List<AutoCloseable> resources) throws IOException {
        // The volume's recorded store URI (the primary's) fills in any store the flags left out.
        String recordedStore = null;
        if (plan.storeUri() == null || plan.mayBePrimary().stream().anyMatch(c -> c.storeUri() == null)) {
            try (RaftMetadataClient probe = RaftMetadataClient.connect(plan.group())) {
                recordedStore = MountedVolume.volumeInfo(probe, config).getStoreUri();
            }
        }
        ObjectStore mirrorStore = ObjectStores.open(plan.storeUri() != null ? plan.storeUri() : recordedStore);
        resources.add(mirrorStore);
        List<MirrorMounts.RegionEndpoint> candidates = new ArrayList<>();
        for (Candidate c : plan.mayBePrimary()) {
            ObjectStore s;
            if (c.name().equals(plan.regionName())) {
                s = mirrorStore;
            } else {
                s = ObjectStores.open(c.storeUri() != null ? c.storeUri() : recordedStore);
                resources.add(s);
            }
            candidates.add(new MirrorMounts.RegionEndpoint(c.name(), c.group(), s));
        }
        MirrorMounts.Parts parts = MirrorMounts.open(new MirrorMounts.RegionEndpoint(plan.regionName(), plan.group(),
                mirrorStore), candidates, plan.config(), MetadataClientOptions.defaults());
        resources.add(0, parts.client()); // closed before the stores
        MetadataClient client = parts.client();
        VolumeInfo volume = MountedVolume.volumeInfo(client, config);
        return MountedVolume.mount(client, parts.uploadStore(), parts.blocks(), cacheDir, cacheMib << 20, config,
                mountPoint, FuseMount.Options.defaults(volume.getVolume()).withTimeouts(fuse.attrTimeoutSeconds(),
                        fuse.entryTimeoutSeconds()));
    }

    /** The mirror mount the flags describe, null for a primary mount; UsageException for half-given flags. */
    MirrorPlan mirrorPlan() throws UsageException, TopologyException {
        if (consistencyWaitMillis < 1 || consistencyWaitMillis > 3_600_000) {
            throw new UsageException("--consistency-wait-ms must be 1..3600000");
        }
        ConsistencyMode mode;
        try {
            mode = consistency == null ? ConsistencyMode.SESSION : ConsistencyMode.parse(consistency);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--consistency: " + e.getMessage());
        }
        MirrorMountConfig config = MirrorMountConfig.defaults().withConsistency(mode)
                .withReadWaitMillisMax(consistencyWaitMillis).withKeepFetchedBlocks(keepFetchedBlocks);
        if (topology != null || region != null) {
            if (topology == null || region == null) {
                throw new UsageException("--topology FILE and --region NAME go together");
            }
            if (meta != null || group != null || store != null || primaryMeta != null || primaryGroup != null
                    || primaryStore != null) {
                throw new UsageException("give either --topology FILE --region NAME, or --meta/--group/--store"
                        + " [--primary-meta/--primary-group/--primary-store]; not both");
            }
            Topology deployment = Topology.load(topology);
            Region self = deployment.requireRegion(region);
            // Every region may be the primary now (roles in the file are initial roles).
            List<Candidate> all = deployment.regions().stream()
                    .map(r -> new Candidate(r.name(), r.group(), r.storeUri())).toList();
            return new MirrorPlan(self.name(), self.group(), self.storeUri(), all, config);
        }
        if (meta == null) {
            throw new UsageException("give --meta PEERS (the region to read from), or --topology FILE --region NAME");
        }
        MetaGroup own = parseGroup("--meta", groupOrDefault(), meta);
        if (primaryMeta == null && primaryGroup == null) {
            if (primaryStore != null || consistency != null || keepFetchedBlocks) {
                throw new UsageException("--primary-store, --consistency and --keep-fetched-blocks are for mirror mounts:"
                        + " add --primary-meta PEERS --primary-group NAME");
            }
            return null;
        }
        if (primaryMeta == null || primaryGroup == null) {
            throw new UsageException("a mirror mount needs both --primary-meta PEERS and --primary-group NAME");
        }
        if (group == null) {
            throw new UsageException("a mirror mount needs --group NAME (the mirror region's group)");
        }
        MetaGroup primary = parseGroup("--primary-meta", primaryGroup, primaryMeta);
        if (primary.name().equals(own.name())) {
            throw new UsageException("--group and --primary-group name the same group '" + own.name() + "'");
        }
        return new MirrorPlan(own.name(), own, store, List.of(new Candidate(primary.name(), primary, primaryStore)), config);
    }

    private String groupOrDefault() {
        return group != null ? group : MetaGroup.DEFAULT_NAME;
    }

    private static MetaGroup parseGroup(String flag, String name, String peers) throws UsageException {
        try {
            return MetaGroup.parse(name, peers);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("mirrorfs: closing " + r + " failed: " + e);
            }
        }
    }
}
