package io.mirrorfs.meta.changelog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AckReply;
import io.mirrorfs.api.proto.AckRequest;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FollowRequest;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.meta.engine.NamespaceEngine;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changelog service on a loopback gRPC server over a real engine: a mirror following it reaches
 * the primary's namespace (retained entries, then live ones); refusals carry clear statuses; retention
 * holds for the slowest mirror unless over the hard cap.
 */
class ChangelogServiceTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;
    private NamespaceEngine primary;
    private ChangelogService service;
    private MirrorAcks acks;
    private Server server;
    private ManagedChannel channel;
    private long index;
    private long seq;

    @BeforeEach
    void start() throws Exception {
        primary = NamespaceEngine.open(dir.resolve("primary"));
        acks = new MirrorAcks(Set.of("eu"));
        service = new ChangelogService(new EngineChangelogReader(() -> primary), acks,
                new ChangelogService.Limits(4, 8, 1 << 20, 200), System::currentTimeMillis);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        apply(MetaRequest.newBuilder().setFormat(FormatOp.newBuilder().setVolume("vol")));
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        if (primary != null) {
            primary.close();
        }
    }

    private void apply(MetaRequest.Builder request) throws Exception {
        request.setRequestId(RequestId.newBuilder().setClientId(77).setSeq(++seq));
        primary.apply(++index, NamespaceEngine.prepare(request.build(), 1_000_000L * index));
        service.onApplied(index);
    }

    private void setXattrs(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            apply(MetaRequest.newBuilder().setSetxattr(SetXattrOp.newBuilder().setInode(FsLimits.ROOT_INODE)
                    .setName(ByteString.copyFromUtf8("user.k" + (i % 7))).setValue(ByteString.copyFromUtf8("v" + seq))));
        }
    }

    private static FollowRequest follow(String volume, long from, int version) {
        return FollowRequest.newBuilder().setVolume(volume).setFromIndex(from).setMirrorName("eu")
                .setFormatVersion(version).build();
    }

    @Test
    void mirrorFollowingTheStreamReachesThePrimaryNamespaceRetainedThenLive() throws Exception {
        setXattrs(30);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        ChangelogServiceGrpc.newStub(channel).follow(follow("vol", 1, FsLimits.LOG_FORMAT_VERSION), new StreamObserver<>() {
            @Override
            public void onNext(ChangelogEntry value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                received.add(t);
            }

            @Override
            public void onCompleted() {
                received.add("completed");
            }
        });
        try (NamespaceEngine mirror = NamespaceEngine.open(dir.resolve("mirror"))) {
            long local = 0;
            long expected = 1;
            while (expected <= 31) {
                local++;
                ChangelogEntry e = next(received);
                assertThat(e.getIndex()).isEqualTo(expected++);
                mirror.applyMirrored(local, e.getIndex(), e.getEntry());
            }
            assertThat(mirror.namespaceDigest()).isEqualTo(primary.namespaceDigest());
            setXattrs(10); // live entries, applied after the follower caught up
            while (mirror.primaryIndex() < index) {
                ChangelogEntry e = next(received);
                mirror.applyMirrored(++local, e.getIndex(), e.getEntry());
            }
            assertThat(mirror.namespaceDigest()).isEqualTo(primary.namespaceDigest());
        }
    }

    private static ChangelogEntry next(LinkedBlockingQueue<Object> received) throws InterruptedException {
        Object o = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(o).as("an entry within %d s", WAIT_SECONDS).isInstanceOf(ChangelogEntry.class);
        return (ChangelogEntry) o;
    }

    @Test
    void refusesWrongVolumeIncompatibleFormatAndTrimmedStart() throws Exception {
        setXattrs(20);
        var stub = ChangelogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS);
        assertStatus(() -> stub.follow(follow("other", 1, FsLimits.LOG_FORMAT_VERSION)).hasNext(),
                Status.Code.INVALID_ARGUMENT, "serves volume 'vol', not 'other'");
        assertStatus(() -> stub.follow(follow("vol", 1, 99)).hasNext(), Status.Code.FAILED_PRECONDITION, "format version 99");

        apply(MetaRequest.newBuilder().setTrimChangelog(io.mirrorfs.api.proto.TrimChangelogOp.newBuilder().setBelowIndex(10)));
        assertStatus(() -> stub.follow(follow("vol", 3, FsLimits.LOG_FORMAT_VERSION)).hasNext(), Status.Code.OUT_OF_RANGE,
                "bootstrap from a snapshot");
        Iterator<ChangelogEntry> fromTen = stub.follow(follow("vol", 10, FsLimits.LOG_FORMAT_VERSION));
        assertThat(fromTen.next().getIndex()).isEqualTo(10);
    }

    @Test
    void ackIsRecordedAndRetentionHoldsForTheSlowestMirrorUntilTheHardCap() throws Exception {
        setXattrs(30);
        AckReply reply = ChangelogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
                .ack(AckRequest.newBuilder().setMirrorName("eu").setAppliedIndex(8).setDataWatermark(6).setVolume("vol").build());
        assertThat(reply.getFirstRetainedIndex()).isEqualTo(1);
        assertThat(reply.getLastIndex()).isEqualTo(index);
        assertThat(acks.get("eu").orElseThrow().dataWatermark()).isEqualTo(6);

        List<MetaRequest> proposed = new ArrayList<>();
        ChangelogTrimmer.Proposer applyIt = r -> {
            proposed.add(r);
            try {
                primary.apply(++index, NamespaceEngine.prepare(r, 1_000_000L * index));
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        };
        EngineChangelogReader reader = new EngineChangelogReader(() -> primary);
        RetentionPolicy soft = new RetentionPolicy(Duration.ofDays(1), 5, 1 << 30, 1000, 1L << 31);
        TrimDecision held = new ChangelogTrimmer(reader, acks, soft, applyIt, () -> 0).runOnce().orElseThrow();
        assertThat(held.belowIndex()).as("never past the mirror's ack + 1").isEqualTo(9);
        assertThat(held.mirrorsToBootstrap()).isEmpty();
        assertThat(primary.changelogStats().firstIndex()).isEqualTo(9);
        assertThat(proposed.get(0).getTrimChangelog().getBelowIndex()).isEqualTo(9);

        RetentionPolicy hard = new RetentionPolicy(Duration.ofDays(1), 5, 1 << 30, 10, 1L << 31);
        TrimDecision forced = new ChangelogTrimmer(reader, acks, hard, applyIt, () -> 0).runOnce().orElseThrow();
        assertThat(forced.mirrorsToBootstrap()).containsExactly("eu");
        assertThat(primary.changelogStats().entryCount()).isEqualTo(5);

        // Entries older than ageMax go even when the count is small (leader clock far ahead of entry times).
        RetentionPolicy age = new RetentionPolicy(Duration.ofSeconds(1), 1000, 1 << 30, 1000, 1L << 31);
        acks.record("eu", index, index, 0);
        new ChangelogTrimmer(reader, acks, age, applyIt, () -> Long.MAX_VALUE / 2).runOnce().orElseThrow();
        assertThat(primary.changelogStats().entryCount()).isZero();
        assertThatThrownBy(() -> ChangelogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
                .follow(follow("vol", 20, FsLimits.LOG_FORMAT_VERSION)).hasNext())
                .hasMessageContaining("OUT_OF_RANGE");
    }

    private static void assertStatus(Runnable call, Status.Code code, String fragment) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(fragment);
        });
    }
}
