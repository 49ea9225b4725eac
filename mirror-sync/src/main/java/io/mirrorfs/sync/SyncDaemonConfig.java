package io.mirrorfs.sync;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.net.ChannelSecurity;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link SyncDaemon} needs besides its stores. The copy settings ({@code copy}) are applied to
 * the {@link SyncConfig} built once the volume (name, block size) is known from the mirror's metadata.
 *
 * @param region          the mirror region's name (logs, status)
 * @param mirrorGroup     the mirror region's metadata group (group name = region name in a topology)
 * @param sourceStoreUri  where blocks are copied from; empty = the volume's recorded store (the primary's)
 * @param statusAddress   where the SyncAdmin gRPC status service listens; empty = not served
 * @param metricsAddress  where Prometheus text is served on /metrics; empty = not served
 * @param rpcTimeout      bound on each metadata call and ack
 * @param ackInterval     how often the region's changelog is told the published watermark
 * @param progressInterval how often progress is logged (when something changed)
 * @param waitPoll        how often an unformatted or unreachable mirror is asked again
 * @param regionStores    every region's store (from the topology): the source is then the store of the
 *                        region the mirror follows now; empty = {@code sourceStoreUri} or the recorded one
 * @param rolePoll        how often the region's role and followed primary are checked (and how often an
 *                        idle primary region is asked whether it is a mirror again)
 * @param security        mutual TLS (or plaintext) for the region's metadata (Raft, changelog) and the
 *                        SyncAdmin status service; Prometheus metrics stay plain HTTP
 */
public record SyncDaemonConfig(String region, MetaGroup mirrorGroup, Optional<String> sourceStoreUri,
                               Optional<InetSocketAddress> statusAddress, Optional<InetSocketAddress> metricsAddress,
                               Copy copy, Duration rpcTimeout, Duration ackInterval, Duration progressInterval,
                               Duration waitPoll, Duration followBackoffMin, Duration followBackoffMax,
                               Optional<RegionStores> regionStores, Duration rolePoll, ChannelSecurity security) {

    /** The copy settings of {@link SyncConfig} that do not depend on the volume. */
    public record Copy(int parallelism, int pendingBlocksMax, long bandwidthBytesPerSecond, int attemptsBeforePoison,
                       Duration retryDelayBase, Duration retryDelayMax, Duration poisonDelayBase,
                       Duration poisonDelayMax) {
        public static Copy defaults() {
            SyncConfig d = SyncConfig.defaults("defaults", 1);
            return new Copy(d.parallelism(), d.pendingBlocksMax(), d.bandwidthBytesPerSecond(), d.attemptsBeforePoison(),
                    d.retryDelayBase(), d.retryDelayMax(), d.poisonDelayBase(), d.poisonDelayMax());
        }

        /** Validated by SyncConfig's constructor, so a bad value fails before anything starts. */
        SyncConfig toSyncConfig(String volume, int blockSizeBytes) {
            return new SyncConfig(volume, blockSizeBytes, parallelism, pendingBlocksMax, attemptsBeforePoison,
                    retryDelayBase, retryDelayMax, poisonDelayBase, poisonDelayMax, bandwidthBytesPerSecond);
        }

        public Copy withParallelism(int parallelism) {
            return new Copy(parallelism, pendingBlocksMax, bandwidthBytesPerSecond, attemptsBeforePoison, retryDelayBase,
                    retryDelayMax, poisonDelayBase, poisonDelayMax);
        }

        public Copy withBandwidth(long bytesPerSecond) {
            return new Copy(parallelism, pendingBlocksMax, bytesPerSecond, attemptsBeforePoison, retryDelayBase,
                    retryDelayMax, poisonDelayBase, poisonDelayMax);
        }

        public Copy withRetries(int attempts, Duration base, Duration max, Duration poisonBase, Duration poisonMax) {
            return new Copy(parallelism, pendingBlocksMax, bandwidthBytesPerSecond, attempts, base, max, poisonBase,
                    poisonMax);
        }
    }

    public SyncDaemonConfig {
        if (region == null || region.isEmpty()) {
            throw new IllegalArgumentException("region name is required");
        }
        for (Duration d : new Duration[] {rpcTimeout, ackInterval, progressInterval, waitPoll, followBackoffMin,
                followBackoffMax, rolePoll}) {
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("sync intervals and timeouts must be in (0, 1h]: " + d);
            }
        }
        if (followBackoffMin.compareTo(followBackoffMax) > 0) {
            throw new IllegalArgumentException("followBackoffMin must not exceed followBackoffMax");
        }
        copy.toSyncConfig("check", 1); // fail now on bad copy settings, not once the mirror is formatted
        if (security == null) {
            throw new IllegalArgumentException("channel security is required (ChannelSecurity.plaintext() for none)");
        }
    }

    /** Plaintext channels. */
    public SyncDaemonConfig(String region, MetaGroup mirrorGroup, Optional<String> sourceStoreUri,
                            Optional<InetSocketAddress> statusAddress, Optional<InetSocketAddress> metricsAddress,
                            Copy copy, Duration rpcTimeout, Duration ackInterval, Duration progressInterval,
                            Duration waitPoll, Duration followBackoffMin, Duration followBackoffMax,
                            Optional<RegionStores> regionStores, Duration rolePoll) {
        this(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout, ackInterval,
                progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, rolePoll,
                ChannelSecurity.plaintext());
    }

    /** Without a topology's stores, checking the role every 10 s. */
    public SyncDaemonConfig(String region, MetaGroup mirrorGroup, Optional<String> sourceStoreUri,
                            Optional<InetSocketAddress> statusAddress, Optional<InetSocketAddress> metricsAddress,
                            Copy copy, Duration rpcTimeout, Duration ackInterval, Duration progressInterval,
                            Duration waitPoll, Duration followBackoffMin, Duration followBackoffMax) {
        this(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout, ackInterval,
                progressInterval, waitPoll, followBackoffMin, followBackoffMax, Optional.empty(), ROLE_POLL_DEFAULT);
    }

    public static final Duration ROLE_POLL_DEFAULT = Duration.ofSeconds(10);

    public static SyncDaemonConfig defaults(String region, MetaGroup mirrorGroup) {
        return new SyncDaemonConfig(region, mirrorGroup, Optional.empty(), Optional.empty(), Optional.empty(),
                Copy.defaults(), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    public SyncDaemonConfig withSourceStore(String uri) {
        return new SyncDaemonConfig(region, mirrorGroup, Optional.of(uri), statusAddress, metricsAddress, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, rolePoll, security);
    }

    public SyncDaemonConfig withEndpoints(Optional<InetSocketAddress> status, Optional<InetSocketAddress> metrics) {
        return new SyncDaemonConfig(region, mirrorGroup, sourceStoreUri, status, metrics, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, rolePoll, security);
    }

    public SyncDaemonConfig withCopy(Copy copy) {
        return new SyncDaemonConfig(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, rolePoll, security);
    }

    /** Copies from the store of the region the mirror follows now (the topology's stores). */
    public SyncDaemonConfig withRegionStores(RegionStores stores) {
        return new SyncDaemonConfig(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, Optional.of(stores), rolePoll, security);
    }

    public SyncDaemonConfig withRolePoll(Duration poll) {
        return new SyncDaemonConfig(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, poll, security);
    }

    /** Mutual TLS (or plaintext) toward the region's metadata and on the SyncAdmin status service. */
    public SyncDaemonConfig withSecurity(ChannelSecurity channelSecurity) {
        return new SyncDaemonConfig(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, rolePoll,
                channelSecurity);
    }

    /** Faster timings for tests and small deployments. */
    public SyncDaemonConfig withTimings(Duration rpcTimeout, Duration ackInterval, Duration progressInterval,
                                        Duration waitPoll, Duration followBackoffMin, Duration followBackoffMax) {
        return new SyncDaemonConfig(region, mirrorGroup, sourceStoreUri, statusAddress, metricsAddress, copy, rpcTimeout,
                ackInterval, progressInterval, waitPoll, followBackoffMin, followBackoffMax, regionStores, rolePoll, security);
    }
}
