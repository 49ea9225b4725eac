package io.mirrorfs.cli;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.StoreOptions;
import io.mirrorfs.sync.BlockRef;
import io.mirrorfs.sync.MirrorMetadata;
import io.mirrorfs.sync.ReferencedBlocks;
import io.mirrorfs.sync.RegionStores;
import io.mirrorfs.sync.SyncDaemon;
import io.mirrorfs.sync.SyncDaemonConfig;
import io.mirrorfs.sync.SyncVerifier;
import io.mirrorfs.sync.VerifyReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mirrorfs sync start|verify}: a mirror region's block sync (DESIGN §4). Both address the
 * region either through the topology file ({@code --topology FILE --region NAME}: the region's meta
 * peers, group = region name, its store and its {@code sync:} address) or explicitly
 * ({@code --meta PEERS --store URI --region NAME [--group NAME]}).
 *
 * <p>With a topology, {@code start} copies from the store of the region the mirror follows now (its
 * MirrorState.primary_region, re-read after a failover), so the region may be the file's primary: it
 * idles while it is a primary and copies once it rejoins as a mirror. Without one, it copies from
 * {@code --source-store} or the store the volume recorded at format.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Copy a mirror region's blocks from the primary's store and commit its data watermark.",
        subcommands = {SyncCommand.Start.class, SyncCommand.Verify.class})
final class SyncCommand {

    /** Bad input: picocli's exit code for usage errors. */
    static final int EXIT_USAGE = 2;

    /** How a sync command finds its region. */
    static final class Addressing {
        @Option(names = "--topology", description = "The deployment's topology file (with --region).")
        Path topology;

        @Option(names = "--region", required = true, description = "The region's name (a mirror, or with --topology"
                + " any region: sync idles while it is a primary).")
        String region;

        @Option(names = "--meta", description = "Without --topology: the mirror region's metadata peers ID=HOST:PORT,...")
        String meta;

        @Option(names = "--group", description = "Without --topology: the region's Raft group name (default: the region name).")
        String group;

        @Option(names = "--store", description = "Without --topology: the mirror region's object store URI.")
        String store;

        @Option(names = "--source-store", description = "Copy from this store instead of the primary's: with --topology"
                + " the store of the region followed now, else the volume's recorded one.")
        String sourceStore;

        @Option(names = "--rpc-timeout-seconds", defaultValue = "30", description = "Bound on each metadata call (default ${DEFAULT-VALUE}).")
        int rpcTimeoutSeconds;

        @Mixin
        TlsOption tls = new TlsOption();

        /** The resolved TLS setting (after {@link #resolve()}), also this process's default. */
        io.mirrorfs.api.net.ChannelSecurity security() {
            return tls.resolved();
        }

        /** The region as addressed, validated; throws UsageException naming the problem. */
        Target resolve() throws UsageException, TopologyException {
            if (rpcTimeoutSeconds < 1 || rpcTimeoutSeconds > 3600) {
                throw new UsageException("--rpc-timeout-seconds must be 1..3600");
            }
            if (topology != null) {
                if (meta != null || group != null || store != null) {
                    throw new UsageException("give either --topology FILE --region NAME, or --meta PEERS --store URI"
                            + " --region NAME [--group NAME]; not both");
                }
                Topology deployment = Topology.load(topology);
                applyTls(Optional.of(deployment));
                Region r = deployment.requireRegion(region);
                // The file's role is the initial one: a primary may be a mirror now (after a switchover),
                // so it is accepted; the daemon idles while the region is a primary.
                Map<String, String> stores = new LinkedHashMap<>();
                deployment.regions().forEach(each -> stores.put(each.name(), each.storeUri()));
                return new Target(region, r.group(), r.storeUri(), Optional.ofNullable(sourceStore), r.sync(),
                        Optional.of(new RegionStores(stores, deployment.primary().name())));
            }
            if (meta == null || store == null) {
                throw new UsageException("without --topology, --meta PEERS and --store URI are required (and --region NAME)");
            }
            applyTls(Optional.empty());
            MetaGroup metaGroup;
            try {
                metaGroup = MetaGroup.parse(group != null ? group : region, meta);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--meta: " + e.getMessage());
            }
            return new Target(region, metaGroup, store, Optional.ofNullable(sourceStore), Optional.empty(),
                    Optional.empty());
        }

        private void applyTls(Optional<Topology> deployment) throws UsageException {
            try {
                tls.apply(deployment);
            } catch (io.mirrorfs.api.net.TlsException e) {
                throw new UsageException(e.getMessage());
            }
        }

        Duration rpcTimeout() {
            return Duration.ofSeconds(rpcTimeoutSeconds);
        }
    }

    /** @param regionStores every region's store (with a topology): the source follows the primary */
    record Target(String region, MetaGroup group, String storeUri, Optional<String> sourceStore,
                  Optional<HostPort> syncAddress, Optional<RegionStores> regionStores) {}

    /** Input that cannot work; reported in one line with exit code 2, nothing started. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Run the region's sync service until SIGINT/SIGTERM (waits for the metadata to answer"
                    + " and the mirror to be formatted).")
    static final class Start implements Callable<Integer> {
        @Mixin
        Addressing address;

        @Option(names = "--listen", description = "HOST:PORT of the SyncAdmin status service (default: the region's"
                + " `sync:` in the topology; none without it).")
        String listen;

        @Option(names = "--metrics-port", description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics.")
        Integer metricsPort;

        @Option(names = "--parallelism", defaultValue = "16", description = "Blocks copied at once (default ${DEFAULT-VALUE}).")
        int parallelism;

        @Option(names = "--bandwidth-mib", defaultValue = "0", description = "Write bandwidth limit in MiB/s (0 = none).")
        long bandwidthMib;

        @Override
        public Integer call() throws Exception {
            Target target;
            SyncDaemonConfig config;
            try {
                target = address.resolve();
                config = config(target);
            } catch (UsageException | TopologyException | IllegalArgumentException e) {
                return usage("sync start", e.getMessage());
            }
            ObjectStore store = ObjectStores.openChecked(target.storeUri(), StoreOptions.defaults());
            try (store; SyncDaemon daemon = SyncDaemon.start(config, store,
                    uri -> ObjectStores.openChecked(uri, StoreOptions.defaults()))) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    System.err.println("mirrorfs sync: stopping (publishing the watermark reached) ...");
                    daemon.close();
                }, "sync-shutdown"));
                while (!daemon.awaitStopped(Duration.ofSeconds(1))) {
                    // The daemon runs until a signal closes it or it fails.
                }
                if (daemon.phase() == SyncDaemon.Phase.FAILED) {
                    System.err.println("mirrorfs sync start: " + daemon.status().getLastError());
                    return MirrorfsCli.EXIT_FAILED;
                }
                return 0;
            }
        }

        private SyncDaemonConfig config(Target target) throws UsageException {
            if (metricsPort != null && (metricsPort < 1 || metricsPort > 65535)) {
                throw new UsageException("--metrics-port must be 1..65535");
            }
            if (bandwidthMib < 0 || bandwidthMib > (1L << 20)) {
                throw new UsageException("--bandwidth-mib must be 0..1048576");
            }
            Optional<HostPort> status = listen != null ? Optional.of(parseListen(listen)) : target.syncAddress();
            SyncDaemonConfig.Copy copy = SyncDaemonConfig.Copy.defaults().withParallelism(parallelism)
                    .withBandwidth(bandwidthMib << 20);
            SyncDaemonConfig config = SyncDaemonConfig.defaults(target.region(), target.group()).withCopy(copy)
                    .withEndpoints(status.map(h -> new InetSocketAddress(h.host(), h.port())),
                            Optional.ofNullable(metricsPort).map(InetSocketAddress::new));
            config = config.withTimings(address.rpcTimeout(), config.ackInterval(), config.progressInterval(),
                    config.waitPoll(), config.followBackoffMin(), config.followBackoffMax());
            config = target.regionStores().map(config::withRegionStores).orElse(config).withSecurity(address.security());
            return target.sourceStore().map(config::withSourceStore).orElse(config);
        }

        private static HostPort parseListen(String spec) throws UsageException {
            try {
                return HostPort.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--listen: " + e.getMessage());
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check that every block the mirror's metadata references is in its store, intact;"
                    + " --repair copies the missing and corrupt ones. Exit 0 when clean, 1 otherwise.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        Addressing address;

        @Option(names = "--repair", description = "Copy missing and corrupt blocks from the source store.")
        boolean repair;

        @Option(names = "--read", description = "Also read every block back and check its CRC32C (slow: reads the whole store).")
        boolean readContent;

        @Override
        public Integer call() throws Exception {
            Target target;
            try {
                target = address.resolve();
            } catch (UsageException | TopologyException e) {
                return usage("sync verify", e.getMessage());
            }
            try (RaftMetadataClient client = RaftMetadataClient.connect(target.group(),
                    MetadataClientOptions.defaults().withDeadline(address.rpcTimeout()).withRaftClients(1))) {
                MirrorMetadata metadata = new MirrorMetadata(client, target.group().name(), address.rpcTimeout());
                MirrorState state = metadata.mirrorState();
                if ("PRIMARY".equals(state.getRole())) {
                    return usage("sync verify", "region '" + target.region() + "' is a primary now (epoch "
                            + state.getEpoch() + "); verify checks a mirror region's store");
                }
                Optional<VolumeInfo> volume = metadata.volume();
                if (volume.isEmpty()) {
                    System.err.println("mirrorfs sync verify: region '" + target.region()
                            + "' is not formatted yet (it has not received the primary's first entry): nothing to verify");
                    return MirrorfsCli.EXIT_FAILED;
                }
                VolumeInfo info = volume.get();
                // With a topology: the store of the region this mirror follows now (after a failover, not
                // the original primary whose store the volume recorded).
                String sourceUri = target.sourceStore().orElseGet(() -> target.regionStores()
                        .flatMap(stores -> stores.storeOfPrimary(state.getPrimaryRegion())).orElse(info.getStoreUri()));
                if (sourceUri.isEmpty()) {
                    return usage("sync verify", "volume '" + info.getVolume() + "' records no store: pass --source-store URI");
                }
                ReferencedBlocks walker = new ReferencedBlocks(metadata, info.getVolume(), info.getBlockSizeBytes());
                List<BlockRef> blocks = walker.walk();
                System.out.printf("walked %d directories, %d files of volume '%s' on region '%s': %d blocks referenced%n",
                        walker.directoriesVisited(), walker.filesVisited(), info.getVolume(), target.region(),
                        blocks.size());
                try (ObjectStore source = ObjectStores.openChecked(sourceUri, StoreOptions.defaults());
                        ObjectStore store = ObjectStores.openChecked(target.storeUri(), StoreOptions.defaults())) {
                    VerifyReport report = new SyncVerifier(source, store, info.getVolume()).verify(blocks, repair, readContent);
                    print(report, source.uri(), store.uri());
                    return report.clean() ? 0 : MirrorfsCli.EXIT_FAILED;
                }
            }
        }

        private void print(VerifyReport r, String source, String target) {
            System.out.printf("mirror store %s: %d present, %d missing, %d corrupt%s; %d in neither store;"
                            + " %d objects only in the mirror's store (source %s)%n", target, r.presentInTarget(),
                    r.missingInTargetCount(), r.corruptInTargetCount(), repair ? ", " + r.repaired() + " repaired" : "",
                    r.missingEverywhereCount(), r.targetOnly(), source);
            r.missingInTarget().forEach(k -> System.out.println("missing  " + k));
            r.corruptInTarget().forEach(k -> System.out.println("corrupt  " + k));
            r.missingEverywhere().forEach(k -> System.out.println("LOST     " + k + " (in neither store)"));
            r.repairErrors().forEach(k -> System.out.println("repair failed: " + k));
            System.out.println(r.clean() ? "clean" : repair ? "NOT clean after repair" : "NOT clean: run with --repair");
        }
    }

    static int usage(String command, String message) {
        System.err.println("mirrorfs " + command + ": " + message);
        return EXIT_USAGE;
    }
}
