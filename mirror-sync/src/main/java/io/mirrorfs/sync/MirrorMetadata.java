package io.mirrorfs.sync;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.ChunkReply;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.SetDataWatermarkOp;
import io.mirrorfs.api.proto.VolumeInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The few metadata calls sync makes on its mirror region's group, each bounded by a timeout and
 * turned into an {@link IOException} naming the group when it cannot be answered. Errnos that mean
 * something to sync come back as values (an unformatted volume, a missing file), the rest as errors.
 */
public final class MirrorMetadata {
    private final MetadataClient client;
    private final String groupName;
    private final Duration timeout;
    private final RequestIds ids = new RequestIds();

    public MirrorMetadata(MetadataClient client, String groupName, Duration timeout) {
        this.client = client;
        this.groupName = groupName;
        this.timeout = timeout;
    }

    public MetadataClient client() {
        return client;
    }

    public String groupName() {
        return groupName;
    }

    /** The group's role, primary index and committed data watermark (linearizable). */
    public MirrorState mirrorState() throws IOException {
        MetaReply reply = await("MirrorStateQuery", client.query(MetaQuery.newBuilder().setCaller(MetaOps.ROOT)
                .setMirrorState(MirrorStateQuery.getDefaultInstance()).build()));
        if (reply.getErrno() != 0 || !reply.hasMirrorState()) {
            throw new IOException("metadata group '" + groupName + "' answered MirrorStateQuery with "
                    + Errno.of(reply.getErrno()));
        }
        return reply.getMirrorState();
    }

    /** The volume, or empty while the group is not formatted (a mirror: before its first mirrored entry). */
    public Optional<VolumeInfo> volume() throws IOException {
        MetaReply reply = await("VolumeQuery", client.query(MetaOps.volume()));
        if (reply.getErrno() == Errno.ENODEV.code()) {
            return Optional.empty();
        }
        if (reply.getErrno() != 0 || !reply.hasVolume()) {
            throw new IOException("metadata group '" + groupName + "' answered VolumeQuery with " + Errno.of(reply.getErrno()));
        }
        return Optional.of(reply.getVolume());
    }

    /** A chunk's visible slices, or empty when the file is gone (ENOENT). */
    public Optional<ChunkReply> readChunk(long inode, int chunkIndex) throws IOException {
        MetaReply reply = await("ReadChunkQuery", client.query(MetaQuery.newBuilder().setCaller(MetaOps.ROOT)
                .setReadChunk(ReadChunkQuery.newBuilder().setInode(inode).setChunkIndex(chunkIndex)).build()));
        if (reply.getErrno() == Errno.ENOENT.code()) {
            return Optional.empty();
        }
        if (reply.getErrno() != 0) {
            throw new IOException("metadata group '" + groupName + "' answered ReadChunkQuery(" + inode + ", "
                    + chunkIndex + ") with " + Errno.of(reply.getErrno()));
        }
        return Optional.of(reply.getChunk());
    }

    /** Commits the data watermark through the group's Raft log (monotonic there: a lower value is a no-op). */
    public void setDataWatermark(long watermark) throws IOException {
        MetaRequest request = MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                .setSetDataWatermark(SetDataWatermarkOp.newBuilder().setDataWatermark(watermark)).build();
        MetaReply reply = await("SetDataWatermarkOp", client.mutate(request));
        if (reply.getErrno() == Errno.EROFS.code()) {
            throw new RegionIsPrimaryException("metadata group '" + groupName + "' refused the data watermark"
                    + " (EROFS): it is a primary now, and sync only copies on mirror regions");
        }
        if (reply.getErrno() != 0) {
            throw new IOException("metadata group '" + groupName + "' refused data watermark " + watermark + ": "
                    + Errno.of(reply.getErrno()));
        }
    }

    /** Any query, bounded like the others (verify walks the namespace with it). */
    public MetaReply query(String what, MetaQuery query) throws IOException {
        return await(what, client.query(query));
    }

    private MetaReply await(String what, CompletableFuture<MetaReply> call) throws IOException {
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " on metadata group '" + groupName + "' interrupted");
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new IOException("no answer to " + what + " from metadata group '" + groupName + "' within "
                    + timeout.toMillis() + " ms: are its nodes up?", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException(what + " on metadata group '" + groupName + "' failed: " + cause.getMessage(), cause);
        }
    }
}
