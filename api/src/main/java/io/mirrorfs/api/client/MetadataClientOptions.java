package io.mirrorfs.api.client;

import java.time.Duration;

/**
 * Tuning of {@link RaftMetadataClient}.
 *
 * @param deadline how long one call may take in total, through retries and leader changes, before it
 *     fails with {@code MetadataUnavailableException}
 * @param raftClients how many Ratis clients to spread calls over; Ratis orders the mutations of one
 *     client (a sliding window), so a few clients avoid head-of-line blocking between unrelated calls
 * @param outstandingRequestsMax per Ratis client: bound on requests in flight (callers beyond it wait)
 * @param rpcTimeout one attempt's timeout before Ratis retries (on another peer if needed)
 */
public record MetadataClientOptions(Duration deadline, int raftClients, int outstandingRequestsMax, Duration rpcTimeout) {

    public MetadataClientOptions {
        if (deadline.isNegative() || deadline.isZero() || rpcTimeout.isNegative() || rpcTimeout.isZero()) {
            throw new IllegalArgumentException("deadline and rpcTimeout must be positive");
        }
        if (raftClients < 1 || raftClients > 64) {
            throw new IllegalArgumentException("raftClients must be 1..64: " + raftClients);
        }
        if (outstandingRequestsMax < 1 || outstandingRequestsMax > 100_000) {
            throw new IllegalArgumentException("outstandingRequestsMax must be 1..100000: " + outstandingRequestsMax);
        }
    }

    public static MetadataClientOptions defaults() {
        return new MetadataClientOptions(Duration.ofSeconds(30), 4, 1024, Duration.ofSeconds(3));
    }

    public MetadataClientOptions withDeadline(Duration d) {
        return new MetadataClientOptions(d, raftClients, outstandingRequestsMax, rpcTimeout);
    }

    public MetadataClientOptions withRaftClients(int n) {
        return new MetadataClientOptions(deadline, n, outstandingRequestsMax, rpcTimeout);
    }
}
