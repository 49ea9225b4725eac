package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A one-node group in this JVM (the embedded shape `mirrorfs up` uses), through the real client. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SingleNodeTest {
    private static final long CALL_SECONDS = 30;

    @TempDir
    Path dataDir;

    private MetaGroup group;
    private MetaServer server;
    private RaftMetadataClient client;
    private final RequestIds ids = new RequestIds();

    @BeforeEach
    void start() throws Exception {
        group = MetaGroup.parse("single-" + System.nanoTime(), "n1=127.0.0.1:" + TestPorts.freePortPair());
        server = MetaServer.start(new MetaServerConfig("n1", group, dataDir));
        client = RaftMetadataClient.connect(group);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void formatCreateLookupSurviveRestart() throws Exception {
        assertThat(mutate(MetaOps.format(ids.next(), "vol1", "file:///tmp/x", 0)).getErrno()).isZero();
        assertThat(mutate(MetaOps.format(ids.next(), "vol1", "file:///tmp/x", 0)).getErrno())
                .as("second format is refused").isEqualTo(Errno.EEXIST.code());

        InodeAllocator inodes = new InodeAllocator(client, ids, 16);
        long ino = inodes.next();
        MetaReply created = mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, "a", FileType.REGULAR, 0644, ino));
        assertThat(created.getErrno()).isZero();
        assertThat(created.getAttr().getInode()).isEqualTo(ino);

        MetaReply found = client.query(MetaOps.lookup(MetaOps.ROOT, FsLimits.ROOT_INODE, "a")).get(CALL_SECONDS, TimeUnit.SECONDS);
        assertThat(found.getErrno()).isZero();
        assertThat(found.getAttr().getInode()).isEqualTo(ino);
        assertThat(client.query(MetaOps.lookup(MetaOps.ROOT, FsLimits.ROOT_INODE, "missing")).get(CALL_SECONDS, TimeUnit.SECONDS)
                .getErrno()).isEqualTo(Errno.ENOENT.code());

        // A retried mutation (same request id) is applied once: the same reply comes back.
        MetaRequest mkdir = MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, "d", FileType.DIRECTORY, 0755, inodes.next());
        MetaReply first = mutate(mkdir);
        MetaReply retried = mutate(mkdir);
        assertThat(first.getErrno()).isZero();
        assertThat(retried.getErrno()).isZero();
        assertThat(retried.getAttr().getInode()).isEqualTo(first.getAttr().getInode());

        restart();
        MetaReply afterRestart = client.query(MetaOps.lookup(MetaOps.ROOT, FsLimits.ROOT_INODE, "a")).get(CALL_SECONDS, TimeUnit.SECONDS);
        assertThat(afterRestart.getErrno()).isZero();
        assertThat(afterRestart.getAttr().getInode()).isEqualTo(ino);
        assertThat(client.query(MetaOps.volume()).get(CALL_SECONDS, TimeUnit.SECONDS).getVolume().getVolume()).isEqualTo("vol1");
    }

    @Test
    void lostDatabaseIsRebuiltFromSnapshotAndLog() throws Exception {
        assertThat(mutate(MetaOps.format(ids.next(), "vol1", "file:///tmp/x", 0)).getErrno()).isZero();
        InodeAllocator inodes = new InodeAllocator(client, ids, 16);
        assertThat(mutate(MetaOps.create(ids.next(), MetaOps.ROOT, 1, "before", FileType.REGULAR, 0644, inodes.next())).getErrno()).isZero();
        long snapshotIndex;
        try (MetadataAdminClient admin = new MetadataAdminClient(group.peer("n1"), Duration.ofSeconds(30))) {
            snapshotIndex = admin.takeSnapshot();
        }
        assertThat(snapshotIndex).isPositive();
        assertThat(mutate(MetaOps.create(ids.next(), MetaOps.ROOT, 1, "after", FileType.REGULAR, 0644, inodes.next())).getErrno()).isZero();
        long appliedBefore = server.appliedIndex();

        server.close();
        server = null;
        SnapshotStore.deleteRecursively(dataDir.resolve("db"));
        server = MetaServer.start(new MetaServerConfig("n1", group, dataDir));
        // "after" is only in the log: it proves the replay on top of the restored snapshot.
        for (String name : new String[] {"before", "after"}) {
            assertThat(client.query(MetaOps.lookup(MetaOps.ROOT, 1, name)).get(CALL_SECONDS, TimeUnit.SECONDS).getErrno())
                    .as(name).isZero();
        }
        assertThat(server.appliedIndex()).isGreaterThan(appliedBefore);
    }

    @Test
    void malformedRequestIsRefusedAndChangesNothing() throws Exception {
        assertThat(mutate(MetaOps.format(ids.next(), "vol1", "file:///tmp/x", 0)).getErrno()).isZero();
        Await.until("the log to be applied", Duration.ofSeconds(30),
                () -> server.appliedIndex() == server.status().getCommitIndex());
        long appliedBefore = server.appliedIndex();
        byte[] digestBefore = server.digest();

        RaftProperties properties = new RaftProperties();
        try (RaftClient raw = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group.raftGroup())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50,
                        org.apache.ratis.util.TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build()) {
            byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02};
            assertThatThrownBy(() -> raw.io().send(Message.valueOf(ByteString.copyFrom(garbage))))
                    .isInstanceOf(StateMachineException.class)
                    .hasMessageContaining("malformed MetaRequest");
            // Well-formed protobuf but no request id: refused as well.
            byte[] noId = MetaRequest.newBuilder().setAllocateIds(io.mirrorfs.api.proto.AllocateIdsOp.newBuilder()
                    .setKind(io.mirrorfs.api.proto.IdKind.INODE).setCount(1)).build().toByteArray();
            assertThatThrownBy(() -> raw.io().send(Message.valueOf(ByteString.copyFrom(noId))))
                    .isInstanceOf(StateMachineException.class)
                    .hasMessageContaining("request_id");
            // A malformed query is refused too.
            assertThatThrownBy(() -> raw.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(garbage))))
                    .isInstanceOf(StateMachineException.class);
        }
        assertThat(server.appliedIndex()).isEqualTo(appliedBefore);
        assertThat(server.digest()).isEqualTo(digestBefore);
        assertThat(server.isLeader()).isTrue();
        assertThat(client.query(MetaOps.volume()).get(CALL_SECONDS, TimeUnit.SECONDS).getVolume().getVolume()).isEqualTo("vol1");
    }

    @Test
    void concurrentReadsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        assertThat(mutate(MetaOps.format(ids.next(), "vol1", "file:///tmp/x", 0)).getErrno()).isZero();
        InodeAllocator inodes = new InodeAllocator(client, ids, 64);
        int files = 40;
        long[] inode = new long[files];
        for (int i = 0; i < files; i++) {
            inode[i] = inodes.next();
            assertThat(mutate(MetaOps.create(ids.next(), MetaOps.ROOT, 1, "f" + i, FileType.REGULAR, 0644, inode[i])).getErrno()).isZero();
        }
        // Far more concurrent reads than the client's in-flight window: most travel in envelopes.
        int rounds = 10;
        java.util.List<java.util.concurrent.CompletableFuture<MetaReply>> lookups = new java.util.ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < files; i++) {
                lookups.add(client.query(MetaOps.lookup(MetaOps.ROOT, 1, "f" + i)));
            }
            lookups.add(client.query(MetaOps.lookup(MetaOps.ROOT, 1, "missing")));
        }
        for (int k = 0; k < lookups.size(); k++) {
            MetaReply reply = lookups.get(k).get(CALL_SECONDS, TimeUnit.SECONDS);
            int i = k % (files + 1);
            if (i == files) {
                assertThat(reply.getErrno()).isEqualTo(Errno.ENOENT.code());
            } else {
                assertThat(reply.getErrno()).isZero();
                assertThat(reply.getAttr().getInode()).as("lookup f%d", i).isEqualTo(inode[i]);
            }
        }

        // The server refuses malformed envelopes as a whole (a client never builds them).
        try (RaftClient raw = RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group.raftGroup())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50,
                        org.apache.ratis.util.TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build()) {
            io.mirrorfs.api.proto.MetaQuery nested = io.mirrorfs.api.proto.MetaQuery.newBuilder()
                    .addBatch(io.mirrorfs.api.proto.MetaQuery.newBuilder().addBatch(MetaOps.volume())).build();
            assertThatThrownBy(() -> raw.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(nested.toByteArray()))))
                    .isInstanceOf(StateMachineException.class).hasMessageContaining("batch");
            io.mirrorfs.api.proto.MetaQuery.Builder tooBig = io.mirrorfs.api.proto.MetaQuery.newBuilder();
            for (int i = 0; i <= RaftMetadataClient.READ_BATCH_QUERIES_MAX; i++) {
                tooBig.addBatch(MetaOps.volume());
            }
            assertThatThrownBy(() -> raw.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(tooBig.build().toByteArray()))))
                    .isInstanceOf(StateMachineException.class).hasMessageContaining("exceeds");
        }
    }

    private MetaReply mutate(MetaRequest request) throws Exception {
        return client.mutate(request).get(CALL_SECONDS, TimeUnit.SECONDS);
    }

    private void restart() throws Exception {
        server.close();
        server = null;
        server = MetaServer.start(new MetaServerConfig("n1", group, dataDir));
    }
}
