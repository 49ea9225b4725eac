package io.mirrorfs.sync;

import java.io.IOException;

/**
 * The deployed {@link WatermarkSink}: the watermark is a SetDataWatermarkOp committed through the
 * mirror region's own Raft group, so it survives sync restarts and failover, and every node of the
 * region (and {@code mirrorfs status}) reads it from MirrorState.data_watermark.
 */
public final class MetadataWatermarkSink implements WatermarkSink {
    private final MirrorMetadata mirror;

    public MetadataWatermarkSink(MirrorMetadata mirror) {
        this.mirror = mirror;
    }

    @Override
    public long lastPublished() throws IOException {
        return mirror.mirrorState().getDataWatermark();
    }

    @Override
    public void publish(long watermark) throws IOException {
        mirror.setDataWatermark(watermark);
    }
}
