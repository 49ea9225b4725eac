package io.mirrorfs.sync;

import io.mirrorfs.api.FsLimits;
import java.time.Duration;

/**
 * Settings of one sync service. Every bound is here: copies in parallel, blocks waiting (the back-
 * pressure on the changelog), attempts before a block is treated as poison, both backoffs, bandwidth.
 *
 * @param bandwidthBytesPerSecond bytes per second written to the target; 0 = unlimited
 */
public record SyncConfig(String volume, int blockSizeBytes, int parallelism, int pendingBlocksMax,
                         int attemptsBeforePoison, Duration retryDelayBase, Duration retryDelayMax,
                         Duration poisonDelayBase, Duration poisonDelayMax, long bandwidthBytesPerSecond) {
    public SyncConfig {
        if (volume == null || volume.isEmpty()) {
            throw new IllegalArgumentException("volume is required");
        }
        if (blockSizeBytes <= 0 || blockSizeBytes > FsLimits.BLOCK_SIZE_BYTES_MAX) {
            throw new IllegalArgumentException("blockSizeBytes out of 1.." + FsLimits.BLOCK_SIZE_BYTES_MAX + ": " + blockSizeBytes);
        }
        if (parallelism < 1 || parallelism > 256) {
            throw new IllegalArgumentException("parallelism out of 1..256: " + parallelism);
        }
        if (pendingBlocksMax < 1 || pendingBlocksMax > 1_000_000) {
            throw new IllegalArgumentException("pendingBlocksMax out of 1..1000000: " + pendingBlocksMax);
        }
        if (attemptsBeforePoison < 1 || attemptsBeforePoison > 100) {
            throw new IllegalArgumentException("attemptsBeforePoison out of 1..100: " + attemptsBeforePoison);
        }
        for (Duration d : new Duration[] {retryDelayBase, retryDelayMax, poisonDelayBase, poisonDelayMax}) {
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("retry delays must be in (0, 1h]: " + d);
            }
        }
        if (bandwidthBytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidthBytesPerSecond must be >= 0");
        }
    }

    /** Defaults for a WAN link: 16 copies, 4096 blocks queued, 5 quick attempts, then poison retries up to every 5 min. */
    public static SyncConfig defaults(String volume, int blockSizeBytes) {
        return new SyncConfig(volume, blockSizeBytes, 16, 4096, 5, Duration.ofMillis(200), Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofMinutes(5), 0);
    }

    public SyncConfig withRetries(int attemptsBeforePoison, Duration base, Duration max, Duration poisonBase,
                                  Duration poisonMax) {
        return new SyncConfig(volume, blockSizeBytes, parallelism, pendingBlocksMax, attemptsBeforePoison, base, max,
                poisonBase, poisonMax, bandwidthBytesPerSecond);
    }

    public SyncConfig withParallelism(int parallelism, int pendingBlocksMax) {
        return new SyncConfig(volume, blockSizeBytes, parallelism, pendingBlocksMax, attemptsBeforePoison,
                retryDelayBase, retryDelayMax, poisonDelayBase, poisonDelayMax, bandwidthBytesPerSecond);
    }

    public SyncConfig withBandwidth(long bytesPerSecond) {
        return new SyncConfig(volume, blockSizeBytes, parallelism, pendingBlocksMax, attemptsBeforePoison,
                retryDelayBase, retryDelayMax, poisonDelayBase, poisonDelayMax, bytesPerSecond);
    }

    /** Capped exponential backoff: base * 2^(n-1), at most max. */
    static Duration backoff(Duration base, Duration max, int n) {
        int shift = Math.min(Math.max(n - 1, 0), 30);
        long millis = base.toMillis() << shift;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
