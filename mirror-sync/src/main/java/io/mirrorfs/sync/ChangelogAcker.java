package io.mirrorfs.sync;

import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.proto.AckRequest;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the mirror region's changelog how far sync has got, as mirror "sync": applied index and data
 * watermark are both the published watermark, since sync resumes above it after a restart and so
 * needs every entry past it retained. Acks go to every node: acks are held in memory per node and the
 * trimmer runs on whichever node leads, so each must know.
 */
final class ChangelogAcker {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogAcker.class);

    private final RegionChannels channels;
    private final String volume;
    private final String region;
    private final LongSupplier publishedWatermark;
    private final Duration rpcTimeout;
    private volatile String lastError = "";

    ChangelogAcker(RegionChannels channels, String volume, String region, LongSupplier publishedWatermark,
                   Duration rpcTimeout) {
        this.channels = channels;
        this.volume = volume;
        this.region = region;
        this.publishedWatermark = publishedWatermark;
        this.rpcTimeout = rpcTimeout;
    }

    /** One round of acks; failures are recorded and logged at debug (a down node is reported elsewhere). */
    void ackAll() {
        long watermark = publishedWatermark.getAsLong();
        if (watermark == 0) {
            return; // nothing published: an ack of 0 holds nothing
        }
        AckRequest request = AckRequest.newBuilder().setMirrorName(ChangelogFeed.MIRROR_NAME).setVolume(volume)
                .setAppliedIndex(watermark).setDataWatermark(watermark).build();
        int failed = 0;
        String error = "";
        for (MetaPeer peer : channels.peers()) {
            try {
                ChangelogServiceGrpc.newBlockingStub(channels.channel(peer))
                        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS).ack(request);
            } catch (StatusRuntimeException e) {
                failed++;
                error = "ack to node " + peer + " failed: " + e.getStatus();
                LOG.debug("sync of region '{}': {}", region, error);
            }
        }
        if (failed == channels.peers().size()) {
            LOG.warn("sync of region '{}' could not ack watermark {} to any node: {}", region, watermark, error);
        }
        lastError = error;
    }

    String lastError() {
        return lastError;
    }
}
