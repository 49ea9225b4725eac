package io.mirrorfs.meta.engine;

/**
 * A mirror was handed a primary entry that does not come after the last one it applied: a duplicate
 * or a reordering. Nothing was changed.
 */
public final class MirrorOrderException extends Exception {
    private final long lastPrimaryIndex;
    private final long offeredPrimaryIndex;

    public MirrorOrderException(long lastPrimaryIndex, long offeredPrimaryIndex, long localIndex) {
        super("mirror refuses primary entry " + offeredPrimaryIndex + " (local index " + localIndex
                + "): it has already applied primary index " + lastPrimaryIndex
                + ", and primary entries must be applied once each, in increasing order");
        this.lastPrimaryIndex = lastPrimaryIndex;
        this.offeredPrimaryIndex = offeredPrimaryIndex;
    }

    public long lastPrimaryIndex() {
        return lastPrimaryIndex;
    }

    public long offeredPrimaryIndex() {
        return offeredPrimaryIndex;
    }
}
