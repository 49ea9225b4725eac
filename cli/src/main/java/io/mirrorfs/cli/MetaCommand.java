package io.mirrorfs.cli;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.meta.server.MirrorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mirrorfs meta start}: one metadata node in the foreground. */
@Command(name = "meta", mixinStandardHelpOptions = true, description = "Run a metadata node.",
        subcommands = {MetaCommand.Start.class})
final class MetaCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("usage: mirrorfs meta start --id ID --peers ID=HOST:PORT,... --data DIR"
                + " [--region NAME --mirror-of ID=HOST:PORT,... [--primary-group NAME] --volume VOL]\n"
                + "       mirrorfs meta start --topology FILE --region NAME --id ID --data DIR");
        return 2;
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start a metadata node and run until SIGINT/SIGTERM.",
                "PORT in --peers is the node's Raft port; its admin gRPC service (status, changelog) listens on PORT+1.",
                "A mirror node: --region NAME --mirror-of ID=HOST:PORT,... [--primary-group NAME] --volume VOL.",
                "From a topology file: --topology FILE --region NAME --id ID --data DIR (peers, group, role and",
                "for a mirror the primary and the volume come from the file; the group is named after the region)."})
    static final class Start implements Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger(Start.class);

        @Option(names = "--id", required = true, description = "This node's id (one of the group's peers).")
        String id;

        @Option(names = "--peers", description = "All voters: ID=HOST:PORT,... (not with --topology).")
        String peers;

        @Option(names = "--data", required = true, description = "This node's data directory.")
        Path data;

        @Option(names = "--group", description = "Group name (default: " + MetaGroup.DEFAULT_NAME
                + ", or the region name for a mirror or with --topology).")
        String group;

        @Option(names = "--snapshot-threshold", defaultValue = "100000",
                description = "Snapshot after this many applied entries (default ${DEFAULT-VALUE}).")
        long snapshotThreshold;

        @Option(names = "--topology", description = "The deployment's topology file (with --region).")
        Path topology;

        @Mixin
        TlsOption tls = new TlsOption();

        @Option(names = "--region", description = "This node's region name (mirrors follow the primary as this name).")
        String region;

        @Option(names = "--mirror-of", description = "A mirror node: the primary region's peers, ID=HOST:PORT,...")
        String mirrorOf;

        @Option(names = "--primary-group", description = "The primary region's group name (default "
                + MetaGroup.DEFAULT_NAME + ").")
        String primaryGroup;

        @Option(names = "--volume", description = "A mirror node: the primary's volume name.")
        String volume;

        @Option(names = "--changelog-trim-interval", defaultValue = "PT30S",
                description = "How often the leader trims the changelog by its retention policy (ISO-8601, default ${DEFAULT-VALUE}).")
        Duration changelogTrimInterval;

        /** Bad flags: the message is printed and nothing starts. */
        static final class UsageException extends Exception {
            UsageException(String message) {
                super(message);
            }
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            MetaServerConfig config;
            try {
                config = config();
            } catch (UsageException e) {
                System.err.println("mirrorfs meta start: " + e.getMessage());
                return 2;
            }
            MetaServer server = MetaServer.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("signal received: stopping metadata node {}", id);
                try {
                    server.close();
                } catch (IOException e) {
                    LOG.error("error while stopping metadata node {}", id, e);
                } finally {
                    stopped.countDown();
                }
            }, "meta-shutdown"));
            LOG.info("metadata node {} running (group {}, raft {}, admin {}{}, {}); Ctrl-C to stop",
                    id, config.group().name(), config.self().raftAddress(), config.self().adminAddress(),
                    config.mirrorOf() == null ? "" : ", mirror of " + config.mirrorOf().primary(), config.security());
            stopped.await();
            return 0;
        }

        MetaServerConfig config() throws UsageException {
            MetaServerConfig config = topology != null ? fromTopology() : fromFlags();
            return config.withSnapshotThreshold(snapshotThreshold).withChangelogTrimInterval(changelogTrimInterval)
                    .withSecurity(security());
        }

        /** --tls-dir, else the topology's tls: section, else plaintext; for the node and its own clients. */
        private io.mirrorfs.api.net.ChannelSecurity security() throws UsageException {
            try {
                return tls.apply(topology);
            } catch (io.mirrorfs.api.net.TlsException | TopologyException e) {
                throw new UsageException(e.getMessage());
            }
        }

        private MetaServerConfig fromTopology() throws UsageException {
            if (peers != null || mirrorOf != null || primaryGroup != null || volume != null || group != null) {
                throw new UsageException("with --topology, peers, group, primary and volume come from the file:"
                        + " drop --peers/--group/--mirror-of/--primary-group/--volume");
            }
            if (region == null) {
                throw new UsageException("--topology needs --region NAME (this node's region in the file)");
            }
            Topology t;
            Region own;
            try {
                t = Topology.load(topology);
                own = t.requireRegion(region);
            } catch (TopologyException e) {
                throw new UsageException(e.getMessage());
            }
            MetaServerConfig config = newConfig(own.group());
            if (own.isPrimary()) {
                Set<String> mirrors = t.mirrors().stream().map(Region::name).collect(Collectors.toSet());
                return config.withChangelogMirrors(mirrors);
            }
            return config.withMirrorOf(new MirrorSource(own.name(), t.volume(), t.primary().group()));
        }

        private MetaServerConfig fromFlags() throws UsageException {
            if (peers == null) {
                throw new UsageException("--peers ID=HOST:PORT,... is required (or --topology FILE --region NAME)");
            }
            if (mirrorOf == null) {
                if (volume != null || primaryGroup != null) {
                    throw new UsageException("--volume and --primary-group are for a mirror node: add --mirror-of PEERS");
                }
                return newConfig(parseGroup(group == null ? MetaGroup.DEFAULT_NAME : group, peers));
            }
            if (volume == null || region == null) {
                throw new UsageException("--mirror-of needs --volume VOL (the primary's volume) and --region NAME"
                        + " (this mirror region's name)");
            }
            MetaGroup primary = parseGroup(primaryGroup == null ? MetaGroup.DEFAULT_NAME : primaryGroup, mirrorOf);
            MetaGroup own = parseGroup(group == null ? region : group, peers);
            if (own.raftGroupId().equals(primary.raftGroupId())) {
                throw new UsageException("the mirror's group '" + own.name() + "' has the primary's group name:"
                        + " give the mirror its own --group (default: the region name)");
            }
            try {
                return newConfig(own).withMirrorOf(new MirrorSource(region, volume, primary));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        private MetaServerConfig newConfig(MetaGroup metaGroup) throws UsageException {
            try {
                return new MetaServerConfig(id, metaGroup, data);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        private static MetaGroup parseGroup(String name, String peerList) throws UsageException {
            try {
                return MetaGroup.parse(name, peerList);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }
}
