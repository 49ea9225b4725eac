package io.mirrorfs.sync;

import java.io.IOException;

/**
 * The mirror's group refused a sync write (the data watermark) because it is a primary now (EROFS): a
 * promotion, not a fault. Sync idles until the region is a mirror again rather than retrying.
 */
public final class RegionIsPrimaryException extends IOException {
    private static final long serialVersionUID = 1L;

    public RegionIsPrimaryException(String message) {
        super(message);
    }
}
