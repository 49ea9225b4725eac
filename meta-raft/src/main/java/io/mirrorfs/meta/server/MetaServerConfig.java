package io.mirrorfs.meta.server;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.meta.changelog.RetentionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * What one metadata node needs to start.
 *
 * @param nodeId this node's id; must be one of {@code group}'s peers
 * @param group the group's name and voters (the Raft group id is derived from the name)
 * @param dataDir everything this node stores: {@code raft/} (Ratis log and metadata), {@code db/}
 *     (the live RocksDB), {@code snapshots/} (RocksDB checkpoints)
 * @param snapshotThresholdEntries take a snapshot after this many applied entries since the last one
 * @param snapshotCreationGapEntries a requested snapshot is skipped if fewer entries than this were
 *     applied since the last one (the admin API's TakeSnapshot ignores it)
 * @param ratisOverrides raw Ratis properties applied after {@link RatisTuning}'s (tests use them to
 *     make log segments small enough to purge; operators to experiment)
 * @param mirrorOf a mirror node: the primary its group follows (null on a primary node). Only the
 *     initial source: the group's own state (FollowPrimaryOp, PromoteOp) decides at run time
 * @param changelogMirrors mirror region names whose acks hold this group's changelog retention while it
 *     is a primary (from the topology); on a mirror, the sync service's ack ("sync") always holds it
 * @param changelogTrimInterval how often the leader runs the changelog trimmer
 * @param changelogRetention how much changelog the group keeps (age, size; held by the acks above)
 * @param security how every channel of the node is secured: Raft (server, peers), the admin/changelog
 *     service, and the node's own clients (its group, the primary it follows); plaintext by default
 */
public record MetaServerConfig(String nodeId, MetaGroup group, Path dataDir,
                               long snapshotThresholdEntries, long snapshotCreationGapEntries,
                               Map<String, String> ratisOverrides, MirrorSource mirrorOf,
                               Set<String> changelogMirrors, Duration changelogTrimInterval,
                               RetentionPolicy changelogRetention, ChannelSecurity security) {

    public static final long SNAPSHOT_THRESHOLD_DEFAULT = 100_000;
    public static final long SNAPSHOT_CREATION_GAP_DEFAULT = 1_024;
    public static final Duration CHANGELOG_TRIM_INTERVAL_DEFAULT = Duration.ofSeconds(30);

    public MetaServerConfig {
        group.peer(nodeId); // throws if this node is not a voter of the group
        if (snapshotThresholdEntries < 1 || snapshotCreationGapEntries < 1) {
            throw new IllegalArgumentException("snapshot threshold and gap must be >= 1");
        }
        if (changelogTrimInterval.isNegative() || changelogTrimInterval.isZero()) {
            throw new IllegalArgumentException("changelog trim interval must be positive: " + changelogTrimInterval);
        }
        if (mirrorOf != null && mirrorOf.primary().raftGroupId().equals(group.raftGroupId())) {
            throw new IllegalArgumentException("a mirror group must have its own group name, not the primary's '"
                    + group.name() + "'");
        }
        if (changelogRetention == null) {
            throw new IllegalArgumentException("changelog retention policy is required");
        }
        if (security == null) {
            throw new IllegalArgumentException("channel security is required (ChannelSecurity.plaintext() for none)");
        }
        dataDir = dataDir.toAbsolutePath();
        ratisOverrides = Map.copyOf(ratisOverrides);
        changelogMirrors = Set.copyOf(changelogMirrors);
    }

    public MetaServerConfig(String nodeId, MetaGroup group, Path dataDir, long snapshotThresholdEntries,
                            long snapshotCreationGapEntries, Map<String, String> ratisOverrides) {
        this(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries, ratisOverrides, null,
                Set.of(), CHANGELOG_TRIM_INTERVAL_DEFAULT, RetentionPolicy.defaults(), ChannelSecurity.plaintext());
    }

    public MetaServerConfig(String nodeId, MetaGroup group, Path dataDir) {
        this(nodeId, group, dataDir, SNAPSHOT_THRESHOLD_DEFAULT, SNAPSHOT_CREATION_GAP_DEFAULT, Map.of());
    }

    public MetaServerConfig withSnapshotThreshold(long entries) {
        return new MetaServerConfig(nodeId, group, dataDir, entries, Math.min(entries, snapshotCreationGapEntries),
                ratisOverrides, mirrorOf, changelogMirrors, changelogTrimInterval,
                changelogRetention, security);
    }

    public MetaServerConfig withRatisOverrides(Map<String, String> overrides) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries,
                overrides, mirrorOf, changelogMirrors, changelogTrimInterval,
                changelogRetention, security);
    }

    /** A mirror node: its group follows {@code source} (see {@link MirrorSource}). */
    public MetaServerConfig withMirrorOf(MirrorSource source) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries,
                ratisOverrides, source, changelogMirrors, changelogTrimInterval, changelogRetention, security);
    }

    public MetaServerConfig withChangelogMirrors(Set<String> mirrorRegions) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries,
                ratisOverrides, mirrorOf, mirrorRegions, changelogTrimInterval, changelogRetention, security);
    }

    public MetaServerConfig withChangelogTrimInterval(Duration interval) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries,
                ratisOverrides, mirrorOf, changelogMirrors, interval, changelogRetention, security);
    }

    public MetaServerConfig withChangelogRetention(RetentionPolicy retention) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries,
                ratisOverrides, mirrorOf, changelogMirrors, changelogTrimInterval, retention, security);
    }

    /** Mutual TLS (or plaintext) on every channel of the node; see {@link ChannelSecurity}. */
    public MetaServerConfig withSecurity(ChannelSecurity channelSecurity) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries,
                ratisOverrides, mirrorOf, changelogMirrors, changelogTrimInterval, changelogRetention, channelSecurity);
    }

    public MetaPeer self() {
        return group.peer(nodeId);
    }

    public Path raftDir() {
        return dataDir.resolve("raft");
    }

    public Path dbDir() {
        return dataDir.resolve("db");
    }

    public Path snapshotDir() {
        return dataDir.resolve("snapshots");
    }

    public Path snapshotTmpDir() {
        return dataDir.resolve("snapshot-tmp");
    }
}
