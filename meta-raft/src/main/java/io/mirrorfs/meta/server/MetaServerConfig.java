package io.mirrorfs.meta.server;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import java.nio.file.Path;
import java.util.Map;

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
 */
public record MetaServerConfig(String nodeId, MetaGroup group, Path dataDir,
                               long snapshotThresholdEntries, long snapshotCreationGapEntries,
                               Map<String, String> ratisOverrides) {

    public static final long SNAPSHOT_THRESHOLD_DEFAULT = 100_000;
    public static final long SNAPSHOT_CREATION_GAP_DEFAULT = 1_024;

    public MetaServerConfig {
        group.peer(nodeId); // throws if this node is not a voter of the group
        if (snapshotThresholdEntries < 1 || snapshotCreationGapEntries < 1) {
            throw new IllegalArgumentException("snapshot threshold and gap must be >= 1");
        }
        dataDir = dataDir.toAbsolutePath();
        ratisOverrides = Map.copyOf(ratisOverrides);
    }

    public MetaServerConfig(String nodeId, MetaGroup group, Path dataDir) {
        this(nodeId, group, dataDir, SNAPSHOT_THRESHOLD_DEFAULT, SNAPSHOT_CREATION_GAP_DEFAULT, Map.of());
    }

    public MetaServerConfig withSnapshotThreshold(long entries) {
        return new MetaServerConfig(nodeId, group, dataDir, entries,
                Math.min(entries, snapshotCreationGapEntries), ratisOverrides);
    }

    public MetaServerConfig withRatisOverrides(Map<String, String> overrides) {
        return new MetaServerConfig(nodeId, group, dataDir, snapshotThresholdEntries, snapshotCreationGapEntries, overrides);
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
