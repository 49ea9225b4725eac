package io.mirrorfs.meta.server;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis setting of a metadata node, in one place, each with the reason it differs from the
 * default (see /work/shared/DEPENDENCY-NOTES.md for the pitfalls these avoid).
 */
final class RatisTuning {
    private RatisTuning() {}

    /** Larger than the largest entry (a MetaRequest is a few KiB at most) and the snapshot chunk. */
    static final SizeInBytes MESSAGE_SIZE_MAX = SizeInBytes.valueOf("32MB");
    static final SizeInBytes SNAPSHOT_CHUNK_SIZE_MAX = SizeInBytes.valueOf("4MB");

    static RaftProperties serverProperties(MetaServerConfig config) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
        GrpcConfigKeys.Server.setHost(p, config.self().host());
        GrpcConfigKeys.Server.setPort(p, config.self().raftPort());
        GrpcConfigKeys.setMessageSizeMax(p, MESSAGE_SIZE_MAX);

        // Election: Ratis's 150/300 ms defaults make a JVM under a GC pause or a busy 2-core box
        // start needless elections. Seconds are still a fast failover for a filesystem.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(4, TimeUnit.SECONDS));
        // The first election after a cold start need not wait that long.
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(1500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));

        // Reads: read-index makes every read linearizable (also on followers); the leader lease lets
        // the leader answer without a heartbeat round while its lease (< election timeout) holds.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Read.setTimeout(p, TimeDuration.valueOf(10, TimeUnit.SECONDS));

        // Log: fsync stays on (unsafe flush off: an entry is acknowledged only when it is on disk);
        // throughput comes from group commit — the log worker syncs once per batch of queued
        // entries, so many concurrent clients share one fsync.
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("64MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("4MB"));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("8MB"));
        RaftServerConfigKeys.Log.setForceSyncNum(p, 512);
        RaftServerConfigKeys.Log.setQueueElementLimit(p, 8192);
        // A node killed mid-write leaves a torn last segment; truncate it rather than refuse to start
        // (the torn entry was never acknowledged: acknowledgement follows the fsync).
        RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN);
        // The appender sends what is queued at once instead of waiting to fill a batch.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("4MB"));
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SNAPSHOT_CHUNK_SIZE_MAX);
        // Built-in snapshot transfer: the leader streams the checkpoint's files (see SnapshotStore).
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        // Pending client requests on the leader: bounded (back-pressure beyond it).
        RaftServerConfigKeys.Write.setElementLimit(p, 16384);
        RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf("256MB"));

        // Snapshots: RocksDB checkpoints are hard links, cheap to take; the log is purged up to them.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThresholdEntries());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, config.snapshotCreationGapEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SnapshotStore.RETAINED_SNAPSHOTS);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, 1024);

        // Ratis's own dedup of retried calls; our mutations also carry request ids because this expires.
        RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
        config.ratisOverrides().forEach(p::set);
        return p;
    }

    /**
     * Ratis's non-property settings: with TLS, one config for the Raft server (client certificates
     * required), its connections to peers, and the admin channel (MetaServerConfig#security).
     */
    static Parameters serverParameters(MetaServerConfig config) {
        return config.security().ratisParameters();
    }
}
