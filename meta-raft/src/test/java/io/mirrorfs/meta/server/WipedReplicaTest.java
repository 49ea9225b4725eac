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
 * What it proves: a follower whose whole data directory is lost rejoins and catches up, ending with
 * the same state digest as the others, with a forced snapshot taken while it was gone (the
 * install-snapshot path itself is proven by {@link SnapshotInstallTest}). Fault model: kill -9 of one follower plus deletion of its disk contents.
 * Log segments are made tiny so that the forced snapshot lets the leader purge its log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WipedReplicaTest {
    @TempDir
    Path baseDir;

    @Test
    void wipedFollowerRejoinsAndConverges() throws Exception {
        List<String> smallLog = List.of("--snapshot-threshold", "200",
                "--ratis", "raft.server.log.segment.size.max=32KB",
                "--ratis", "raft.server.log.preallocated.size=16KB",
                "--ratis", "raft.server.log.write.buffer.size=8MB",
                "--ratis", "raft.server.log.purge.gap=1");
        try (ProcessCluster cluster = new ProcessCluster(baseDir, 3, smallLog);
             RaftMetadataClient client = RaftMetadataClient.connect(cluster.group(),
                     MetadataClientOptions.defaults().withDeadline(Duration.ofSeconds(60)))) {
            cluster.startAll();
            String leader = cluster.awaitLeader(Duration.ofSeconds(60));
            String victim = cluster.group().peers().stream().map(p -> p.id()).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            RequestIds ids = new RequestIds();
            InodeAllocator inodes = new InodeAllocator(client, ids, 100);
            assertThat(client.mutate(MetaOps.format(ids.next(), "vol", "file:///x", 0)).get(60, TimeUnit.SECONDS).getErrno()).isZero();
            createFiles(client, ids, inodes, "a", 150);

            cluster.kill9(victim);
            SnapshotStore.deleteRecursively(cluster.dataDir(victim));
            createFiles(client, ids, inodes, "b", 150);
            long snapshotIndex = cluster.takeSnapshot(cluster.awaitLeader(Duration.ofSeconds(60)));
            assertThat(snapshotIndex).isPositive();
            createFiles(client, ids, inodes, "c", 20);

            cluster.start(victim);
            long lastIndex = client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, "last",
                    FileType.REGULAR, 0644, inodes.next())).get(60, TimeUnit.SECONDS).getIndex();
            Await.until("the wiped replica to reach the others' state", Duration.ofSeconds(90), () -> {
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
            // This test does not require the catch-up to go through install-snapshot (the leader may
            // still hold the whole log); SnapshotInstallTest forces and asserts that path.
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
