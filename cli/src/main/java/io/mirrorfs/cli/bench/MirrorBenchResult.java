package io.mirrorfs.cli.bench;

/**
 * The figures of one {@code bench mirror} run, as printed in its summary.
 *
 * @param seconds measured time of the write load
 * @param mutations metadata mutations the primary acknowledged
 * @param blocks blocks written to the primary's store and committed
 * @param writeErrors failed write operations
 * @param metadataLag lag of the mirror's applied primary index, per primary index written
 * @param dataLag lag of the mirror's data watermark, per primary index that committed a block
 * @param reads linearizable mirror reads (null when no readers ran)
 */
public record MirrorBenchResult(double seconds, long mutations, long blocks, long writeErrors,
                                LagTracker.Summary metadataLag, LagTracker.Summary dataLag,
                                LinearizableReaders.Summary reads) {
    public static final double METADATA_LAG_P99_TARGET_MILLIS = 500;
    public static final double DATA_LAG_P99_TARGET_MILLIS = 10_000;
    public static final double PROBES_PER_READ_TARGET = 1.0;
}
