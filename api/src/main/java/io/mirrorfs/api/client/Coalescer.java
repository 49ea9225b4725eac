package io.mirrorfs.api.client;

import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Coalesces concurrent linearizable reads into batch envelopes (see {@code MetaQuery.batch}) without
 * a timer: while fewer than {@code inFlightMax} requests are outstanding a read goes out at once (so
 * a lone caller pays no extra latency); otherwise it waits in a queue and leaves with the others
 * when an outstanding request returns. Under load this turns N concurrent reads into about
 * N / inFlightMax Ratis requests, each paying one read index, one RPC and one set of thread hand-offs.
 *
 * <p>Linearizability: a member is sent after it was issued, and the server answers the whole batch
 * after a read index taken when the batch arrived, so each answer reflects every write completed
 * before that member was issued.
 */
final class ReadBatcher {
    /** Reads waiting beyond this go out unbatched: a bound on memory, not a failure. */
    static final int QUEUED_MAX = 65_536;

    private record Pending(MetaQuery query, CompletableFuture<MetaReply> result) {}

    private final int batchQueriesMax;
    private final int inFlightMax;
    private final Function<MetaQuery, CompletableFuture<MetaReply>> send;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param send sends one Ratis read-only request (a single query or an envelope) with the client's
     *     retry and deadline policy
     */
    ReadBatcher(int batchQueriesMax, int inFlightMax, Function<MetaQuery, CompletableFuture<MetaReply>> send) {
        if (batchQueriesMax < 1 || batchQueriesMax > RaftMetadataClient.READ_BATCH_QUERIES_MAX || inFlightMax < 1) {
            throw new IllegalArgumentException("batchQueriesMax must be 1.." + RaftMetadataClient.READ_BATCH_QUERIES_MAX
                    + " and inFlightMax >= 1: " + batchQueriesMax + ", " + inFlightMax);
        }
        this.batchQueriesMax = batchQueriesMax;
        this.inFlightMax = inFlightMax;
        this.send = send;
    }

    CompletableFuture<MetaReply> submit(MetaQuery query) {
        assert query.getBatchCount() == 0 : "a batch envelope cannot be batched again";
        CompletableFuture<MetaReply> result = new CompletableFuture<>();
        List<Pending> batch;
        boolean overflow;
        synchronized (this) {
            overflow = queue.size() >= QUEUED_MAX;
            if (!overflow) {
                queue.add(new Pending(query, result));
            }
            batch = takeBatchIfAllowed();
        }
        if (overflow) {
            return send.apply(query);
        }
        if (batch != null) {
            dispatch(batch);
        }
        return result;
    }

    private List<Pending> takeBatchIfAllowed() {
        if (inFlight >= inFlightMax || queue.isEmpty()) {
            return null;
        }
        inFlight++;
        List<Pending> batch = new ArrayList<>(Math.min(queue.size(), batchQueriesMax));
        while (!queue.isEmpty() && batch.size() < batchQueriesMax) {
            batch.add(queue.poll());
        }
        return batch;
    }

    private void dispatch(List<Pending> batch) {
        MetaQuery request;
        if (batch.size() == 1) {
            request = batch.get(0).query();
        } else {
            MetaQuery.Builder envelope = MetaQuery.newBuilder();
            for (Pending p : batch) {
                envelope.addBatch(p.query());
            }
            request = envelope.build();
        }
        CompletableFuture<MetaReply> sent;
        try {
            sent = send.apply(request);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, error) -> {
            complete(batch, reply, error);
            List<Pending> next;
            synchronized (this) {
                inFlight--;
                next = takeBatchIfAllowed();
            }
            if (next != null) {
                dispatch(next);
            }
        });
    }

    private static void complete(List<Pending> batch, MetaReply reply, Throwable error) {
        if (error != null) {
            batch.forEach(p -> p.result().completeExceptionally(error));
        } else if (batch.size() == 1) {
            batch.get(0).result().complete(reply);
        } else if (reply.getBatchCount() != batch.size()) {
            IllegalStateException mismatch = new IllegalStateException("metadata server answered a batch of "
                    + batch.size() + " queries with " + reply.getBatchCount() + " replies");
            batch.forEach(p -> p.result().completeExceptionally(mismatch));
        } else {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(reply.getBatch(i));
            }
        }
    }
}
