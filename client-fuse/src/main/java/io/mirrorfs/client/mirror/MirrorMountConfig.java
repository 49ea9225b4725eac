package io.mirrorfs.client.mirror;

/**
 * Tunables of a mirror mount, each with its unit and bound.
 *
 * @param consistency what reads promise (default session)
 * @param readWaitMillisMax how long a read may wait for the mirror to catch up before failing with EIO
 * @param pollIntervalMillis how often the mirror's progress is polled while reads wait (one RPC per
 *     interval for all of them)
 * @param waitingReadsMax bound on reads waiting for the mirror at once
 * @param probeTimeoutMillis how long a region may take to report its state when finding the primary
 * @param failoverWaitMillisMax how long a mutation keeps re-resolving the primary (failover in
 *     progress) before failing with EROFS
 * @param keepFetchedBlocks write blocks read from the primary's store into the mirror's store
 */
public record MirrorMountConfig(ConsistencyMode consistency, long readWaitMillisMax, long pollIntervalMillis,
                                int waitingReadsMax, long probeTimeoutMillis, long failoverWaitMillisMax,
                                boolean keepFetchedBlocks) {

    public MirrorMountConfig {
        if (readWaitMillisMax < 1 || pollIntervalMillis < 1 || waitingReadsMax < 1 || probeTimeoutMillis < 1
                || failoverWaitMillisMax < 0) {
            throw new IllegalArgumentException("mirror mount bounds must be positive: readWaitMillisMax=" + readWaitMillisMax
                    + " pollIntervalMillis=" + pollIntervalMillis + " waitingReadsMax=" + waitingReadsMax
                    + " probeTimeoutMillis=" + probeTimeoutMillis + " failoverWaitMillisMax=" + failoverWaitMillisMax);
        }
    }

    /** Waits stay below the gateway's 30 s metadata timeout, so the gate's clearer error wins. */
    public static MirrorMountConfig defaults() {
        return new MirrorMountConfig(ConsistencyMode.SESSION, 10_000, 5, 100_000, 2_000, 20_000, false);
    }

    public MirrorMountConfig withConsistency(ConsistencyMode mode) {
        return new MirrorMountConfig(mode, readWaitMillisMax, pollIntervalMillis, waitingReadsMax, probeTimeoutMillis,
                failoverWaitMillisMax, keepFetchedBlocks);
    }

    public MirrorMountConfig withReadWaitMillisMax(long millis) {
        return new MirrorMountConfig(consistency, millis, pollIntervalMillis, waitingReadsMax, probeTimeoutMillis,
                failoverWaitMillisMax, keepFetchedBlocks);
    }

    public MirrorMountConfig withFailoverWaitMillisMax(long millis) {
        return new MirrorMountConfig(consistency, readWaitMillisMax, pollIntervalMillis, waitingReadsMax,
                probeTimeoutMillis, millis, keepFetchedBlocks);
    }

    public MirrorMountConfig withKeepFetchedBlocks(boolean keep) {
        return new MirrorMountConfig(consistency, readWaitMillisMax, pollIntervalMillis, waitingReadsMax,
                probeTimeoutMillis, failoverWaitMillisMax, keep);
    }
}
