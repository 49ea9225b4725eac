package io.mirrorfs.sync;

import java.util.List;

/**
 * What an operator (and {@code mirrorfs status}) needs to see of a sync service.
 *
 * @param watermark            highest primary index whose blocks are all in the mirror's store
 * @param publishedWatermark   the last value the WatermarkSink accepted (durable)
 * @param highestSubmitted     highest primary index handed to the service
 * @param watermarkLagEntries  highestSubmitted - watermark (primary indexes, not entry counts: indexes have gaps)
 * @param watermarkHeldBy      why the watermark is not at highestSubmitted, or empty
 * @param oldestPendingAgeMillis age of the oldest block not yet copied, 0 when none
 */
public record SyncStats(long watermark, long publishedWatermark, long highestSubmitted, long watermarkLagEntries, String watermarkHeldBy,
                        long blocksPending, long bytesPending, long oldestPendingAgeMillis,
                        long blocksCopied, long bytesCopied, long blocksAlreadyPresent, long blocksSkippedDeleted,
                        long blocksUnverified, long attemptsFailed, List<PoisonBlock> poison,
                        String lastPublishError) {
    public SyncStats {
        poison = List.copyOf(poison);
    }
}
