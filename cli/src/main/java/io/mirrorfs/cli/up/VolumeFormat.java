package io.mirrorfs.cli.up;

import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.VolumeQuery;
import io.mirrorfs.client.vfs.VfsConfig;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The embedded deployment's start-up steps: format the primary's volume, wait for each region to know it. */
final class VolumeFormat {
    private static final int BLOCK_SIZE_BYTES = 4 << 20;
    private static final long POLL_MILLIS = 50;

    private VolumeFormat() {}

    /** Formats the volume on the first start (a formatted one is left as it is). */
    static void formatIfNew(RaftMetadataClient primary, String volume, String storeUri, VfsConfig config) throws IOException {
        MetaReply info = await(primary.query(volumeQuery()), config);
        if (info.getErrno() == 0 && info.hasVolume() && !info.getVolume().getVolume().isEmpty()) {
            return;
        }
        MetaReply formatted = await(primary.mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(new SecureRandom().nextLong() & Long.MAX_VALUE).setSeq(1))
                .setCaller(Caller.getDefaultInstance())
                .setFormat(FormatOp.newBuilder().setVolume(volume).setStoreUri(storeUri).setBlockSizeBytes(BLOCK_SIZE_BYTES))
                .build()), config);
        if (formatted.getErrno() != 0) {
            throw new IOException("formatting the volume failed: errno " + formatted.getErrno());
        }
    }

    /**
     * Waits until {@code region} knows the formatted volume: a mirror learns it from the primary's
     * changelog, and a mount of it needs it. Role-agnostic, so it holds after a failover too.
     */
    static void awaitFormatted(RaftMetadataClient region, Duration timeout, VfsConfig config)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            MetaReply info = await(region.query(volumeQuery()), config);
            if (info.getErrno() == 0 && info.hasVolume() && !info.getVolume().getVolume().isEmpty()) {
                return;
            }
            Thread.sleep(POLL_MILLIS); // polling a condition with a deadline
        }
        throw new IOException("metadata group " + region.group().name() + " has not learnt the volume within "
                + timeout.toSeconds() + " s; see the log for the mirror follower's errors");
    }

    private static MetaQuery volumeQuery() {
        return MetaQuery.newBuilder().setCaller(Caller.getDefaultInstance())
                .setVolume(VolumeQuery.getDefaultInstance()).build();
    }

    private static MetaReply await(CompletableFuture<MetaReply> reply, VfsConfig config) throws IOException {
        try {
            return reply.get(config.metaTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IOException("metadata group did not answer: " + e, e);
        }
    }
}
