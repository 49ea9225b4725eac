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
 * @param readBatchQueriesMax linearizable reads issued concurrently share one Ratis request, up to
 *     this many (1 = no batching); see {@link Coalescer}
 * @param readBatchesInFlightMax read requests outstanding before further reads queue up to be batched
 * @param writeBatchMutationsMax mutations issued concurrently share one log entry (group commit), up to
 *     this many (1 = no batching); see {@link Coalescer} and {@code MutationBatch}
 * @param writeBatchesInFlightMax write requests outstanding before further mutations queue up to be batched
 */
public record MetadataClientOptions(Duration deadline, int raftClients, int outstandingRequestsMax, Duration rpcTimeout,
                                    int readBatchQueriesMax, int readBatchesInFlightMax, int writeBatchMutationsMax,
                                    int writeBatchesInFlightMax) {

    /** Reads: up to 64 queries share one Ratis request, and 4 such requests may be outstanding. */
    public static final int READ_BATCH_QUERIES_DEFAULT = 64;
    public static final int READ_BATCHES_IN_FLIGHT_DEFAULT = 4;
    /** Writes: up to 64 mutations share one log entry, and 2 such entries may be outstanding (docs/benchmarks.md). */
    public static final int WRITE_BATCH_MUTATIONS_DEFAULT = 64;
    public static final int WRITE_BATCHES_IN_FLIGHT_DEFAULT = 2;

    public MetadataClientOptions(Duration deadline, int raftClients, int outstandingRequestsMax, Duration rpcTimeout) {
        this(deadline, raftClients, outstandingRequestsMax, rpcTimeout, READ_BATCH_QUERIES_DEFAULT, READ_BATCHES_IN_FLIGHT_DEFAULT,
                WRITE_BATCH_MUTATIONS_DEFAULT, WRITE_BATCHES_IN_FLIGHT_DEFAULT);
    }

    public MetadataClientOptions {
        if (readBatchQueriesMax < 1 || readBatchQueriesMax > RaftMetadataClient.READ_BATCH_QUERIES_MAX) {
            throw new IllegalArgumentException("readBatchQueriesMax must be 1.." + RaftMetadataClient.READ_BATCH_QUERIES_MAX
                    + ": " + readBatchQueriesMax);
        }
        if (readBatchesInFlightMax < 1 || readBatchesInFlightMax > 1024) {
            throw new IllegalArgumentException("readBatchesInFlightMax must be 1..1024: " + readBatchesInFlightMax);
        }
        if (writeBatchMutationsMax < 1 || writeBatchMutationsMax > io.mirrorfs.api.FsLimits.MUTATION_BATCH_MAX) {
            throw new IllegalArgumentException("writeBatchMutationsMax must be 1.." + io.mirrorfs.api.FsLimits.MUTATION_BATCH_MAX
                    + ": " + writeBatchMutationsMax);
        }
        if (writeBatchesInFlightMax < 1 || writeBatchesInFlightMax > 1024) {
            throw new IllegalArgumentException("writeBatchesInFlightMax must be 1..1024: " + writeBatchesInFlightMax);
        }
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
        return new MetadataClientOptions(d, raftClients, outstandingRequestsMax, rpcTimeout, readBatchQueriesMax, readBatchesInFlightMax,
                writeBatchMutationsMax, writeBatchesInFlightMax);
    }

    /** One attempt's timeout: below the deadline, an attempt on a dead node leaves time to try the others. */
    public MetadataClientOptions withRpcTimeout(Duration timeout) {
        return new MetadataClientOptions(deadline, raftClients, outstandingRequestsMax, timeout, readBatchQueriesMax,
                readBatchesInFlightMax, writeBatchMutationsMax, writeBatchesInFlightMax);
    }

    public MetadataClientOptions withRaftClients(int n) {
        return new MetadataClientOptions(deadline, n, outstandingRequestsMax, rpcTimeout, readBatchQueriesMax, readBatchesInFlightMax,
                writeBatchMutationsMax, writeBatchesInFlightMax);
    }

    /** {@code queriesMax} 1 turns read batching off. */
    public MetadataClientOptions withReadBatching(int queriesMax, int inFlightMax) {
        return new MetadataClientOptions(deadline, raftClients, outstandingRequestsMax, rpcTimeout, queriesMax, inFlightMax,
                writeBatchMutationsMax, writeBatchesInFlightMax);
    }

    /** {@code mutationsMax} 1 turns group commit off: every mutation is its own log entry. */
    public MetadataClientOptions withWriteBatching(int mutationsMax, int inFlightMax) {
        return new MetadataClientOptions(deadline, raftClients, outstandingRequestsMax, rpcTimeout, readBatchQueriesMax,
                readBatchesInFlightMax, mutationsMax, inFlightMax);
    }
}
