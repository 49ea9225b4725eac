package io.mirrorfs.cli.bench;

import io.mirrorfs.api.FsLimits;
import java.time.Duration;

/**
 * What {@code mirrorfs bench mirror} runs, each bound with its unit. Validated here, so bad input
 * fails with a clear message before anything starts.
 *
 * @param duration how long the write load (and the readers) run
 * @param oneWayDelay injected delay between the regions, each way
 * @param writers concurrent writers on the primary
 * @param blockSizeBytes the volume's block size; each data write is one slice of one full block
 * @param bandwidthBytesPerSecond the sync service's copy bandwidth (0 = unlimited)
 * @param writeBytesPerSecond block bytes per second the writers put on the primary in total (0 = as
 *     fast as they can). Above the sync bandwidth the data lag grows without bound, by design.
 * @param readers concurrent linearizable getattr readers on the mirror (0 = none)
 * @param reportInterval how often a progress line is printed
 * @param warmup how long the load and the readers run before the measurement starts (JIT compilation,
 *     connections, the first Raft log segments), not reported
 */
public record MirrorBenchConfig(Duration duration, Duration oneWayDelay, int writers, int blockSizeBytes,
                                long bandwidthBytesPerSecond, long writeBytesPerSecond, int readers,
                                Duration reportInterval, Duration warmup) {
    public static final int WRITERS_MAX = 256;
    public static final int READERS_MAX = 1024;
    public static final Duration DURATION_MAX = Duration.ofHours(24);
    public static final Duration DELAY_MAX = Duration.ofSeconds(10);

    public MirrorBenchConfig {
        require(!duration.isNegative() && !duration.isZero() && duration.compareTo(DURATION_MAX) <= 0,
                "--seconds must be in 1.." + DURATION_MAX.toSeconds() + ", got " + duration.toSeconds());
        require(!oneWayDelay.isNegative() && oneWayDelay.compareTo(DELAY_MAX) <= 0,
                "--delay-ms must be in 0.." + DELAY_MAX.toMillis() + ", got " + oneWayDelay.toMillis());
        require(writers >= 1 && writers <= WRITERS_MAX, "--writers must be in 1.." + WRITERS_MAX + ", got " + writers);
        require(blockSizeBytes >= 1 << 20 && blockSizeBytes <= FsLimits.BLOCK_SIZE_BYTES_MAX,
                "--block-mib must be in 1.." + (FsLimits.BLOCK_SIZE_BYTES_MAX >> 20) + " (the volume's block size limit), got "
                        + blockSizeBytes / (double) (1 << 20));
        require(bandwidthBytesPerSecond >= 0, "--bandwidth-mib must be >= 0 (0 = unlimited)");
        require(writeBytesPerSecond >= 0, "--write-mib must be >= 0 (0 = as fast as the writers can)");
        require(readers >= 0 && readers <= READERS_MAX, "--readers must be in 0.." + READERS_MAX + ", got " + readers);
        require(!reportInterval.isNegative() && !reportInterval.isZero(), "the report interval must be > 0");
        require(!warmup.isNegative() && warmup.compareTo(DURATION_MAX) <= 0,
                "--warmup-seconds must be in 0.." + DURATION_MAX.toSeconds() + ", got " + warmup.toSeconds());
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** From the command's units: seconds, milliseconds, MiB and MiB/s. */
    public static MirrorBenchConfig of(int seconds, int delayMillis, int writers, int blockMib, int bandwidthMib,
                                       int writeMib, int readers, int warmupSeconds) {
        if (blockMib < 1 || blockMib > FsLimits.BLOCK_SIZE_BYTES_MAX >> 20) {
            throw new IllegalArgumentException("--block-mib must be in 1.." + (FsLimits.BLOCK_SIZE_BYTES_MAX >> 20)
                    + " (the volume's block size limit), got " + blockMib);
        }
        return new MirrorBenchConfig(Duration.ofSeconds(seconds), Duration.ofMillis(delayMillis), writers,
                blockMib << 20, (long) bandwidthMib << 20, (long) writeMib << 20, readers, Duration.ofSeconds(5), Duration.ofSeconds(warmupSeconds));
    }

    public MirrorBenchConfig withReportInterval(Duration interval) {
        return new MirrorBenchConfig(duration, oneWayDelay, writers, blockSizeBytes, bandwidthBytesPerSecond,
                writeBytesPerSecond, readers, interval, warmup);
    }

    String describe() {
        return String.format("delay %d ms one-way, sync bandwidth %s, %d writers, %d MiB blocks, block writes %s, "
                        + "%d linearizable readers, %d s measured after %d s warm-up", oneWayDelay.toMillis(),
                mibPerSecond(bandwidthBytesPerSecond), writers, blockSizeBytes >> 20, mibPerSecond(writeBytesPerSecond),
                readers, duration.toSeconds(), warmup.toSeconds());
    }

    private static String mibPerSecond(long bytes) {
        return bytes == 0 ? "unlimited" : (bytes >> 20) + " MiB/s";
    }
}
