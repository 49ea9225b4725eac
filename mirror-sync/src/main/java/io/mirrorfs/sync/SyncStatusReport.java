package io.mirrorfs.sync;

import io.mirrorfs.api.metrics.PrometheusText;
import io.mirrorfs.api.metrics.PrometheusText.Type;
import io.mirrorfs.api.proto.PoisonBlockStatus;
import io.mirrorfs.api.proto.SyncStatusReply;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sync service's figures in its two shapes: the SyncAdmin reply ({@code mirrorfs status}) and
 * Prometheus text (the metrics endpoint), the latter computed from the former so both always agree.
 * Metric names match {@code mirrorfs status --prometheus} where they overlap.
 */
public final class SyncStatusReport {
    /** Poison blocks listed in one reply; the count in the metrics is exact. */
    static final int POISON_LISTED_MAX = 100;

    private SyncStatusReport() {}

    /** The reply for a running sync. */
    static SyncStatusReply reply(SyncStatusReply.Builder base, SyncStats stats) {
        base.setDataWatermark(stats.watermark())
                .setPublishedWatermark(stats.publishedWatermark())
                .setHighestSubmitted(stats.highestSubmitted())
                .setBlocksPending(stats.blocksPending())
                .setBytesPending(stats.bytesPending())
                .setOldestPendingAgeMillis(stats.oldestPendingAgeMillis())
                .setBlocksCopied(stats.blocksCopied())
                .setBytesCopied(stats.bytesCopied())
                .setBlocksAlreadyPresent(stats.blocksAlreadyPresent())
                .setBlocksSkippedDeleted(stats.blocksSkippedDeleted())
                .setWatermarkHeldBy(stats.watermarkHeldBy());
        if (!stats.lastPublishError().isEmpty()) {
            base.setLastError("publishing the watermark failed: " + stats.lastPublishError());
        }
        stats.poison().stream().limit(POISON_LISTED_MAX).forEach(p -> base.addPoison(PoisonBlockStatus.newBuilder()
                .setKey(p.key()).setPrimaryIndex(p.primaryIndex()).setLastError(p.lastError()).setAttempts(p.attempts())
                .setSinceMillis(p.sinceMillis())));
        return base.build();
    }

    /**
     * Prometheus text for one reply.
     *
     * @param running whether the copy is running (false while waiting for the metadata, or failed)
     */
    public static String prometheus(SyncStatusReply s, boolean running) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("region", s.getRegion());
        labels.put("volume", s.getVolume());
        PrometheusText m = new PrometheusText();
        gauge(m, labels, "mirrorfs_sync_up", "1 while the sync service is copying (0: waiting or failed)", running ? 1 : 0);
        gauge(m, labels, "mirrorfs_sync_data_watermark", "highest primary index whose blocks are all in the mirror's store",
                s.getDataWatermark());
        gauge(m, labels, "mirrorfs_sync_published_watermark", "the data watermark committed in the mirror's group",
                s.getPublishedWatermark());
        gauge(m, labels, "mirrorfs_sync_highest_submitted", "newest primary index handed to the copier",
                s.getHighestSubmitted());
        gauge(m, labels, "mirrorfs_sync_watermark_held", "1 when blocks hold the watermark below the newest index",
                s.getWatermarkHeldBy().isEmpty() ? 0 : 1);
        gauge(m, labels, "mirrorfs_sync_blocks_pending", "blocks the sync service still has to copy", s.getBlocksPending());
        gauge(m, labels, "mirrorfs_sync_bytes_pending", "bytes the sync service still has to copy", s.getBytesPending());
        gauge(m, labels, "mirrorfs_sync_oldest_pending_seconds", "age of the oldest block waiting to be copied",
                s.getOldestPendingAgeMillis() / 1000.0);
        gauge(m, labels, "mirrorfs_sync_poison_blocks", "blocks that keep failing and are retried apart", s.getPoisonCount());
        counter(m, labels, "mirrorfs_sync_blocks_copied_total", "blocks copied since the sync service started",
                s.getBlocksCopied());
        counter(m, labels, "mirrorfs_sync_bytes_copied_total", "bytes copied since the sync service started",
                s.getBytesCopied());
        counter(m, labels, "mirrorfs_sync_blocks_already_present_total",
                "blocks found already in the mirror's store (not copied again)", s.getBlocksAlreadyPresent());
        counter(m, labels, "mirrorfs_sync_blocks_skipped_deleted_total",
                "blocks skipped because their slice was deleted before it was copied", s.getBlocksSkippedDeleted());
        return m.render();
    }

    private static void gauge(PrometheusText m, Map<String, String> labels, String name, String help, double value) {
        m.family(name, Type.GAUGE, help).sample(name, labels, value);
    }

    private static void counter(PrometheusText m, Map<String, String> labels, String name, String help, double value) {
        m.family(name, Type.COUNTER, help).sample(name, labels, value);
    }
}
