package io.mirrorfs.meta.mirror;

import java.time.Duration;

/**
 * Tuning of a {@link MirrorFollower}.
 *
 * @param volume          the primary's volume name (Follow refuses another)
 * @param mirrorName      this mirror region's name in the topology (for the primary's acks and reports)
 * @param inFlightMax     proposals outstanding at once; they are pipelined in stream order, never reordered
 * @param backoffMin      first pause after a stream or proposal failure
 * @param backoffMax      the cap of the doubling pause
 * @param ackInterval     how often progress is acknowledged to the primary (retention, lag)
 * @param rpcTimeout      one Ack or mirror-state query before it counts as failed
 * @param drainTimeout    after a failure, how long to wait for outstanding proposals before resuming
 *                        (resuming earlier is safe, the chain check refuses stale ones, but wasteful)
 */
public record MirrorFollowerConfig(String volume, String mirrorName, int inFlightMax, Duration backoffMin,
                                   Duration backoffMax, Duration ackInterval, Duration rpcTimeout, Duration drainTimeout) {
    public MirrorFollowerConfig {
        if (volume == null || volume.isEmpty() || mirrorName == null || mirrorName.isEmpty()) {
            throw new IllegalArgumentException("volume and mirrorName are required");
        }
        if (inFlightMax < 1 || inFlightMax > 4096) {
            throw new IllegalArgumentException("inFlightMax must be 1..4096: " + inFlightMax);
        }
        if (!positive(backoffMin) || !positive(backoffMax) || backoffMax.compareTo(backoffMin) < 0
                || !positive(ackInterval) || !positive(rpcTimeout) || !positive(drainTimeout)) {
            throw new IllegalArgumentException("durations must be positive and backoffMax >= backoffMin: " + this);
        }
    }

    /** 64 proposals in flight, backoff 100 ms doubling to 10 s, an ack per second. */
    public static MirrorFollowerConfig defaults(String volume, String mirrorName) {
        return new MirrorFollowerConfig(volume, mirrorName, 64, Duration.ofMillis(100), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public MirrorFollowerConfig withBackoff(Duration min, Duration max) {
        return new MirrorFollowerConfig(volume, mirrorName, inFlightMax, min, max, ackInterval, rpcTimeout, drainTimeout);
    }

    public MirrorFollowerConfig withAckInterval(Duration interval) {
        return new MirrorFollowerConfig(volume, mirrorName, inFlightMax, backoffMin, backoffMax, interval, rpcTimeout, drainTimeout);
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }
}
