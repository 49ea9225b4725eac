package io.mirrorfs.client.chunk;

/**
 * Sequential-read detection for one open handle: a read that starts where the previous one ended
 * doubles the readahead window (up to a bound); any other read resets it.
 */
public final class ReadPattern {
    private final long windowBytesFirst;
    private final long windowBytesMax;
    private long nextExpectedOffset = -1;
    private long windowBytes;
    private long prefetchedUpTo;

    public ReadPattern(long windowBytesFirst, long windowBytesMax) {
        assert windowBytesFirst > 0 && windowBytesMax >= windowBytesFirst;
        this.windowBytesFirst = windowBytesFirst;
        this.windowBytesMax = windowBytesMax;
    }

    /**
     * Records a read of [offset, offset+length) and returns the range to prefetch after it as
     * {start, end}, or null when the pattern is not sequential or the window is already covered.
     */
    public synchronized long[] onRead(long offset, int length) {
        long end = offset + length;
        boolean sequential = offset == nextExpectedOffset || (offset == 0 && nextExpectedOffset < 0);
        nextExpectedOffset = end;
        if (!sequential) {
            windowBytes = 0;
            prefetchedUpTo = 0;
            return null;
        }
        windowBytes = windowBytes == 0 ? windowBytesFirst : Math.min(windowBytesMax, windowBytes * 2);
        long start = Math.max(end, prefetchedUpTo);
        long stop = end + windowBytes;
        // Prefetch in steps of at least a quarter window, not on every small read.
        if (stop - start < windowBytes / 4) {
            return null;
        }
        prefetchedUpTo = stop;
        return new long[] {start, stop};
    }
}
