package io.mirrorfs.meta.changelog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.BootstrapChunk;
import io.mirrorfs.api.proto.BootstrapRequest;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.meta.engine.NamespaceEngine;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bootstrap stream on a loopback gRPC server over a real engine: chunks are bounded and carry one
 * snapshot index, the checkpoint behind a stream is deleted when it ends or is cancelled, a mirror
 * that stops reading holds its stream (flow control) and the per-node stream limit, and bad requests
 * get clear statuses.
 */
class BootstrapSourceTest {
    private static final long WAIT_SECONDS = 30;
    private static final int CHUNK_BYTES_MAX = 64 << 10;
    private static final int XATTR_BYTES = 60 << 10;

    @TempDir
    Path dir;
    private NamespaceEngine primary;
    private Path scratch;
    private Server server;
    private ManagedChannel channel;
    private long index;

    @BeforeEach
    void start() throws Exception {
        primary = NamespaceEngine.open(dir.resolve("primary"));
        scratch = dir.resolve("bootstrap-tmp");
        ChangelogService service = new ChangelogService(new EngineChangelogReader(() -> primary),
                new MirrorAcks(Set.of("eu")), ChangelogService.Limits.defaults(), System::currentTimeMillis)
                .withBootstrapSource(new BootstrapSource(() -> primary, scratch,
                        new BootstrapSource.Limits(1, 64, CHUNK_BYTES_MAX, 100)));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        apply(MetaRequest.newBuilder().setFormat(FormatOp.newBuilder().setVolume("vol")));
        // ~12 MiB of xattrs: far more than gRPC's flow-control window, so a mirror that stops reading stalls the stream.
        for (int i = 0; i < 200; i++) {
            apply(MetaRequest.newBuilder().setSetxattr(SetXattrOp.newBuilder().setInode(FsLimits.ROOT_INODE)
                    .setName(ByteString.copyFromUtf8("user.k" + i)).setValue(ByteString.copyFrom(new byte[XATTR_BYTES]))));
        }
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        primary.close();
    }

    @Test
    void chunksAreBoundedCarryOneSnapshotIndexAndTheCheckpointIsDeleted() throws Exception {
        List<BootstrapChunk> chunks = new ArrayList<>();
        stub().bootstrap(request("vol", "eu", FsLimits.LOG_FORMAT_VERSION)).forEachRemaining(chunks::add);
        assertThat(chunks).hasSizeGreaterThan(100);
        assertThat(chunks).allSatisfy(c -> assertThat(c.getSnapshotIndex()).isEqualTo(index));
        // A chunk is sent once it reaches the bound, so it exceeds it by at most one row.
        assertThat(chunks).allSatisfy(c -> assertThat(c.getSerializedSize()).isLessThan(CHUNK_BYTES_MAX + XATTR_BYTES + 1024));
        assertThat(chunks.subList(0, chunks.size() - 1)).noneMatch(BootstrapChunk::getLast);
        assertThat(chunks.get(chunks.size() - 1).getLast()).isTrue();
        assertThat(chunks.stream().flatMap(c -> c.getRowsList().stream()))
                .noneMatch(r -> r.getFamily().equals("changelog"))
                .filteredOn(r -> r.getFamily().equals("meta"))
                .extracting(r -> r.getKey().toStringUtf8())
                .containsExactly("epoch", "last_time_ns", "volume");
        awaitScratchEmpty();
    }

    @Test
    void aMirrorThatStopsReadingHoldsItsStreamUntilItCancels() throws Exception {
        Context.CancellableContext stalled = Context.current().withCancellation();
        Iterator<BootstrapChunk> first = stalled.call(() -> stub().bootstrap(request("vol", "eu", FsLimits.LOG_FORMAT_VERSION)));
        assertThat(first.next().getSnapshotIndex()).isEqualTo(index);
        // Flow control holds the stalled stream open (its checkpoint too), so the node's only slot is taken.
        assertThat(listScratch()).hasSize(1);
        assertThatThrownBy(() -> stub().bootstrap(request("vol", "us", FsLimits.LOG_FORMAT_VERSION)).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(listScratch()).hasSize(1);

        stalled.cancel(null);
        awaitScratchEmpty();
        // The slot is free again: a new stream runs to its end.
        List<BootstrapChunk> chunks = new ArrayList<>();
        stub().bootstrap(request("vol", "us", FsLimits.LOG_FORMAT_VERSION)).forEachRemaining(chunks::add);
        assertThat(chunks.get(chunks.size() - 1).getLast()).isTrue();
    }

    @Test
    void badRequestsGetClearStatusesAndNoCheckpoint() throws Exception {
        assertRefused(request("other", "eu", FsLimits.LOG_FORMAT_VERSION), Status.Code.INVALID_ARGUMENT, "not 'other'");
        assertRefused(request("vol", "", FsLimits.LOG_FORMAT_VERSION), Status.Code.INVALID_ARGUMENT, "mirror_name");
        assertRefused(request("vol", "eu", FsLimits.LOG_FORMAT_VERSION + 1), Status.Code.FAILED_PRECONDITION, "format version");
        assertThat(listScratch()).isEmpty();

        // A node without a bootstrap source says so.
        ChangelogService bare = new ChangelogService(new EngineChangelogReader(() -> primary),
                new MirrorAcks(Set.of("eu")), ChangelogService.Limits.defaults(), System::currentTimeMillis);
        Server other = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(bare).build().start();
        ManagedChannel otherChannel = NettyChannelBuilder.forAddress("127.0.0.1", other.getPort()).usePlaintext().build();
        try {
            assertThatThrownBy(() -> ChangelogServiceGrpc.newBlockingStub(otherChannel)
                    .bootstrap(request("vol", "eu", FsLimits.LOG_FORMAT_VERSION)).next())
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        } finally {
            otherChannel.shutdownNow().awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
            other.shutdownNow().awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void assertRefused(BootstrapRequest request, Status.Code code, String message) {
        assertThatThrownBy(() -> stub().bootstrap(request).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(message);
                });
    }

    private ChangelogServiceGrpc.ChangelogServiceBlockingStub stub() {
        return ChangelogServiceGrpc.newBlockingStub(channel).withMaxInboundMessageSize(16 << 20);
    }

    private static BootstrapRequest request(String volume, String mirror, int formatVersion) {
        return BootstrapRequest.newBuilder().setVolume(volume).setMirrorName(mirror).setFormatVersion(formatVersion).build();
    }

    private void apply(MetaRequest.Builder request) throws Exception {
        request.setRequestId(RequestId.newBuilder().setClientId(1).setSeq(index + 1));
        primary.apply(++index, NamespaceEngine.prepare(request.build(), 1_000_000L * index));
    }

    private List<Path> listScratch() throws Exception {
        if (!Files.isDirectory(scratch)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(scratch)) {
            return s.toList();
        }
    }

    private void awaitScratchEmpty() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!listScratch().isEmpty()) {
            assertThat(System.nanoTime()).as("the bootstrap checkpoint to be deleted").isLessThan(deadline);
            Thread.sleep(20); // polling interval of a deadline-bounded wait
        }
    }
}
