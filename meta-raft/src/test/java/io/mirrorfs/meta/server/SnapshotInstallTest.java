package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.NodeStatusReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What it proves: when the leader has snapshotted and purged its log, a follower that lost its whole
 * disk can only catch up by installing the leader's snapshot (RocksDB checkpoint files streamed by
 * Ratis, then {@link MetaStateMachine#reinitialize}), and afterwards applies the log from the snapshot
 * on to the same state digest as the others.
 *
 * <p>Evidence asserted, not assumed: the leader's log start index is past 0 before the victim returns
 * (so log replay from the beginning is impossible), the victim reports {@code snapshots_installed >= 1},
 * and all three digests match at the same applied index.
 *
 * <p>Fault model: kill -9 of one follower and deletion of its data directory. Replay: the node logs are
 * kept in this test's temporary directory ({@code nN-*.log}); "installed snapshot" marks the install.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SnapshotInstallTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path baseDir;

    @Test
    void wipedFollowerCatchesUpByInstallingTheLeadersSnapshot() throws Exception {
        // Tiny segments so the snapshot lets the leader delete closed segments; no automatic snapshots,
        // so the one this test forces is the one installed.
        List<String> smallLog = List.of("--snapshot-threshold", "1000000",
                "--ratis", "raft.server.log.segment.size.max=16KB",
                "--ratis", "raft.server.log.preallocated.size=16KB",
                "--ratis", "raft.server.log.purge.gap=1");
        try (ProcessCluster cluster = new ProcessCluster(baseDir, 3, smallLog);
             RaftMetadataClient client = RaftMetadataClient.connect(cluster.group(),
                     // One entry per create (no group commit): the test needs many entries to fill segments.
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(60)).withWriteBatching(1, 1))) {
            cluster.startAll();
            String leader = cluster.awaitLeader(WAIT);
            String victim = cluster.group().peers().stream().map(p -> p.id()).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            RequestIds ids = new RequestIds();
            InodeAllocator inodes = new InodeAllocator(client, ids, 100);
            assertThat(client.mutate(MetaOps.format(ids.next(), "vol", "file:///x", 0)).get(60, TimeUnit.SECONDS).getErrno()).isZero();
            createFiles(client, ids, inodes, "a", 100);

            cluster.kill9(victim);
            SnapshotStore.deleteRecursively(cluster.dataDir(victim));
            createFiles(client, ids, inodes, "b", 300);
            String current = cluster.awaitLeader(WAIT);
            long snapshotIndex = cluster.takeSnapshot(current);
            assertThat(snapshotIndex).isPositive();
            // Purging follows the snapshot asynchronously; the victim must find entry 1 gone.
            Await.until("the leader to purge its log up to the snapshot", WAIT,
                    () -> cluster.status(current, false).getLogStartIndex() > 1);
            createFiles(client, ids, inodes, "c", 20);

            cluster.start(victim);
            long lastIndex = client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, "last",
                    FileType.REGULAR, 0644, inodes.next())).get(60, TimeUnit.SECONDS).getIndex();
            Await.until("the wiped replica to install a snapshot and reach the others' state", WAIT, () -> {
                Set<String> digests = new HashSet<>();
                for (String id : List.of("n1", "n2", "n3")) {
                    NodeStatusReply s = cluster.status(id, true);
                    if (s.getAppliedIndex() < lastIndex) {
                        return false;
                    }
                    digests.add(s.getStateDigest().toStringUtf8() + "@" + s.getAppliedIndex());
                }
                return digests.size() == 1;
            });
            NodeStatusReply rejoined = cluster.status(victim, false);
            assertThat(rejoined.getSnapshotsInstalled()).as("snapshots installed on %s", victim).isGreaterThanOrEqualTo(1);
            assertThat(rejoined.getSnapshotIndex()).as("snapshot index on %s", victim).isGreaterThanOrEqualTo(snapshotIndex);
            assertThat(rejoined.getLogStartIndex()).as("log start on %s (nothing below the snapshot was replayed)", victim)
                    .isGreaterThan(1);
            assertThat(cluster.log(victim)).contains("installed snapshot");
        }
    }

    private static void createFiles(RaftMetadataClient client, RequestIds ids, InodeAllocator inodes, String prefix, int count)
            throws Exception {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[count];
        for (int i = 0; i < count; i++) {
            pending[i] = client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, prefix + i,
                    FileType.REGULAR, 0644, inodes.next()))
                    .thenAccept(r -> assertThat(r.getErrno()).isZero());
        }
        CompletableFuture.allOf(pending).get(120, TimeUnit.SECONDS);
    }
}
