package io.mirrorfs.api.client;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MutationBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Coalesces concurrent requests into envelopes without a timer: while fewer than {@code inFlightMax}
 * requests are outstanding a request goes out at once (so a lone caller pays no extra latency);
 * otherwise it waits in a queue and leaves with the others when an outstanding request returns. Under
 * load this turns N concurrent requests into about N / inFlightMax Ratis requests, each paying one RPC
 * and one set of thread hand-offs — and, for mutations, one log entry and one fsync per replica.
 *
 * <p>Reads ({@link #reads}, see {@code MetaQuery.batch}): a member is sent after it was issued, and the
 * server answers the whole envelope after a read index taken when it arrived, so each answer reflects
 * every write completed before that member was issued.
 *
 * <p>Writes ({@link #mutations}, see {@code MutationBatch}): members were issued concurrently, so any
 * order among them is one their callers could have seen; each keeps its request id, so a retried
 * envelope is deduplicated member by member. A caller's next mutation is issued after its previous one
 * returned and therefore lands in a later envelope.
 *
 * @param <T> the request type; an envelope is a T too
 */
final class Coalescer<T> {
    /** Requests waiting beyond this go out alone: a bound on memory, not a failure. */
    static final int QUEUED_MAX = 65_536;
    /** An envelope of mutations stays under this many serialized bytes (a lone larger member goes alone). */
    static final int MUTATION_ENVELOPE_BYTES_MAX = 1 << 20;

    private record Pending<T>(T request, CompletableFuture<MetaReply> result) {}

    private final String what;
    private final int membersMax;
    private final int bytesMax;
    private final int inFlightMax;
    private final Function<List<T>, T> envelope;
    private final ToIntFunction<T> sizeOf;
    private final Function<T, CompletableFuture<MetaReply>> send;
    private final ArrayDeque<Pending<T>> queue = new ArrayDeque<>();
    private int inFlight;

    private Coalescer(String what, int membersMax, int bytesMax, int inFlightMax, Function<List<T>, T> envelope,
                      ToIntFunction<T> sizeOf, Function<T, CompletableFuture<MetaReply>> send) {
        if (membersMax < 1 || inFlightMax < 1) {
            throw new IllegalArgumentException(what + ": membersMax and inFlightMax must be >= 1: " + membersMax + ", "
                    + inFlightMax);
        }
        this.what = what;
        this.membersMax = membersMax;
        this.bytesMax = bytesMax;
        this.inFlightMax = inFlightMax;
        this.envelope = envelope;
        this.sizeOf = sizeOf;
        this.send = send;
    }

    /**
     * @param send sends one Ratis read-only request (a single query or an envelope) with the client's
     *     retry and deadline policy
     */
    static Coalescer<MetaQuery> reads(int queriesMax, int inFlightMax, Function<MetaQuery, CompletableFuture<MetaReply>> send) {
        if (queriesMax > RaftMetadataClient.READ_BATCH_QUERIES_MAX) {
            throw new IllegalArgumentException("queriesMax must be 1.." + RaftMetadataClient.READ_BATCH_QUERIES_MAX
                    + ": " + queriesMax);
        }
        return new Coalescer<>("reads", queriesMax, Integer.MAX_VALUE, inFlightMax,
                members -> MetaQuery.newBuilder().addAllBatch(members).build(), q -> 0, send);
    }

    /** @param send sends one Ratis write (a single mutation or a MutationBatch) with the client's retry policy */
    static Coalescer<MetaRequest> mutations(int membersMax, int inFlightMax,
                                            Function<MetaRequest, CompletableFuture<MetaReply>> send) {
        if (membersMax > FsLimits.MUTATION_BATCH_MAX) {
            throw new IllegalArgumentException("membersMax must be 1.." + FsLimits.MUTATION_BATCH_MAX + ": " + membersMax);
        }
        return new Coalescer<>("mutations", membersMax, MUTATION_ENVELOPE_BYTES_MAX, inFlightMax,
                members -> MetaRequest.newBuilder().setBatch(MutationBatch.newBuilder().addAllRequests(members)).build(),
                MetaRequest::getSerializedSize, send);
    }

    CompletableFuture<MetaReply> submit(T request) {
        CompletableFuture<MetaReply> result = new CompletableFuture<>();
        List<Pending<T>> batch;
        boolean overflow;
        synchronized (this) {
            overflow = queue.size() >= QUEUED_MAX;
            if (!overflow) {
                queue.add(new Pending<>(request, result));
            }
            batch = takeBatchIfAllowed();
        }
        if (overflow) {
            return send.apply(request);
        }
        if (batch != null) {
            dispatch(batch);
        }
        return result;
    }

    private List<Pending<T>> takeBatchIfAllowed() {
        if (inFlight >= inFlightMax || queue.isEmpty()) {
            return null;
        }
        inFlight++;
        List<Pending<T>> batch = new ArrayList<>(Math.min(queue.size(), membersMax));
        long bytes = 0;
        while (!queue.isEmpty() && batch.size() < membersMax) {
            bytes += sizeOf.applyAsInt(queue.peek().request());
            if (!batch.isEmpty() && bytes > bytesMax) {
                break;
            }
            batch.add(queue.poll());
        }
        return batch;
    }

    private void dispatch(List<Pending<T>> batch) {
        T request = batch.size() == 1 ? batch.get(0).request()
                : envelope.apply(batch.stream().map(Pending::request).toList());
        CompletableFuture<MetaReply> sent;
        try {
            sent = send.apply(request);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, error) -> {
            complete(batch, reply, error);
            List<Pending<T>> next;
            synchronized (this) {
                inFlight--;
                next = takeBatchIfAllowed();
            }
            if (next != null) {
                dispatch(next);
            }
        });
    }

    private void complete(List<Pending<T>> batch, MetaReply reply, Throwable error) {
        if (error != null) {
            batch.forEach(p -> p.result().completeExceptionally(error));
        } else if (batch.size() == 1) {
            batch.get(0).result().complete(reply);
        } else if (reply.getBatchCount() != batch.size()) {
            // E.g. an envelope refused whole (a server that does not know batches answers EINVAL without members).
            IllegalStateException mismatch = new IllegalStateException("metadata server answered an envelope of "
                    + batch.size() + " " + what + " with " + reply.getBatchCount() + " replies (errno "
                    + reply.getErrno() + ")");
            batch.forEach(p -> p.result().completeExceptionally(mismatch));
        } else {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(reply.getBatch(i));
            }
        }
    }
}
