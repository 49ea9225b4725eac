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
 * @param fullPass             the running or last full pass (all zero when none ran)
 */
public record SyncStats(long watermark, long publishedWatermark, long highestSubmitted, long watermarkLagEntries, String watermarkHeldBy,
                        long blocksPending, long bytesPending, long oldestPendingAgeMillis,
                        long blocksCopied, long bytesCopied, long blocksAlreadyPresent, long blocksSkippedDeleted,
                        long blocksUnverified, long attemptsFailed, List<PoisonBlock> poison,
                        String lastPublishError, FullPass fullPass) {
    public SyncStats {
        poison = List.copyOf(poison);
    }

    /**
     * A full pass over the namespace (after a bootstrap): every block referenced at {@code index}.
     *
     * @param blocksDone  blocks copied, found present or skipped as deleted
     */
    public record FullPass(long index, long blocksDone, long blocksTotal) {
        public boolean running() {
            return blocksDone < blocksTotal;
        }
    }
}
