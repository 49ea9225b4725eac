package io.mirrorfs.api.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mirrorfs.api.GroupCommit;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.MetadataUnavailableException;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MetadataClient} over the Ratis client protocol (gRPC). Ratis finds the leader (following
 * NotLeader hints) and retries an attempt that fails or times out; this class bounds the whole call by
 * {@link MetadataClientOptions#deadline()} and turns "could not get an answer" into
 * {@link MetadataUnavailableException}.
 *
 * <p>Reads: {@link #query} is a read-only request answered after Ratis's read-index (or under the
 * leader's lease), i.e. linearizable. {@link #queryAtLeast} asks one replica (round-robin) for a stale
 * read at {@code minIndex}; a replica that has not applied {@code minIndex} yet refuses at once
 * (Ratis's StaleReadException), and then this client falls back to a linearizable read, which is at
 * least as fresh. So the contract "applied at least minIndex" always holds.
 */
public final class RaftMetadataClient implements MetadataClient {
    private static final Logger LOG = LoggerFactory.getLogger(RaftMetadataClient.class);
    /** Pause between Ratis attempts (leader election takes seconds; hammering does not help). */
    private static final TimeDuration RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);
    /** Replies and requests stay far below this; it only guards the channel. */
    private static final SizeInBytes MESSAGE_SIZE_MAX = SizeInBytes.valueOf("32MB");
    /** Outer attempts (each one may include several Ratis-level retries); the deadline usually ends it first. */
    private static final int ATTEMPTS_MAX = 1_000;
    /** Retries run here, not on the common pool, which Ratis can block (see CommonPoolFloor). */
    private static final ExecutorService RETRIES = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("metadata-client-retry-", 0).factory());
    /** Queries in one batch envelope; the server refuses larger batches. */
    public static final int READ_BATCH_QUERIES_MAX = 256;

    private final MetaGroup group;
    private final MetadataClientOptions options;
    private final List<RaftClient> clients;
    private final AtomicInteger nextClient = new AtomicInteger();
    private final AtomicInteger nextPeer = new AtomicInteger();
    private final Coalescer<MetaQuery> reads;
    private final Coalescer<MetaRequest> writes;
    private volatile boolean closed;

    private RaftMetadataClient(MetaGroup group, MetadataClientOptions options, List<RaftClient> clients) {
        this.group = group;
        this.options = options;
        this.clients = clients;
        this.reads = Coalescer.reads(options.readBatchQueriesMax(), options.readBatchesInFlightMax(), this::sendQuery);
        this.writes = Coalescer.mutations(options.writeBatchMutationsMax(), options.writeBatchesInFlightMax(), this::sendMutation);
    }

    public static RaftMetadataClient connect(MetaGroup group) {
        return connect(group, MetadataClientOptions.defaults());
    }

    /** Secured as {@link io.mirrorfs.api.net.ChannelSecurity#processDefault()} (plaintext unless the CLI set TLS). */
    public static RaftMetadataClient connect(MetaGroup group, MetadataClientOptions options) {
        return connect(group, options, io.mirrorfs.api.net.ChannelSecurity.processDefault());
    }

    public static RaftMetadataClient connect(MetaGroup group, MetadataClientOptions options,
                                             io.mirrorfs.api.net.ChannelSecurity security) {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(options.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS));
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties, options.outstandingRequestsMax());
        GrpcConfigKeys.setMessageSizeMax(properties, MESSAGE_SIZE_MAX);
        // Attempts are bounded both by count and by this client's deadline (orTimeout in call()).
        int attemptsMax = (int) Math.max(1, options.deadline().toMillis() / RETRY_SLEEP.toLong(TimeUnit.MILLISECONDS));
        RetryPolicy retry = RetryPolicies.retryUpToMaximumCountWithFixedSleep(attemptsMax, RETRY_SLEEP);
        List<RaftClient> clients = new java.util.ArrayList<>(options.raftClients());
        for (int i = 0; i < options.raftClients(); i++) {
            clients.add(RaftClients.build(group, properties, retry, security));
        }
        return new RaftMetadataClient(group, options, List.copyOf(clients));
    }

    public MetaGroup group() {
        return group;
    }

    @Override
    public CompletableFuture<MetaReply> mutate(MetaRequest request) {
        if (!request.hasRequestId() || request.getRequestId().getClientId() == 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a mutation needs a request id (see RequestIds); got " + request.getOpCase()));
        }
        boolean batchable = options.writeBatchMutationsMax() > 1 && GroupCommit.mayBatch(request.getOpCase());
        return batchable ? writes.submit(request) : sendMutation(request);
    }

    /** One Ratis write: a single mutation or a MutationBatch envelope. */
    private CompletableFuture<MetaReply> sendMutation(MetaRequest request) {
        Message message = toMessage(request.toByteArray());
        String what = request.hasBatch() ? "mutation batch of " + request.getBatch().getRequestsCount()
                : "mutate " + request.getOpCase();
        return call(what, c -> c.async().send(message));
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        if (query.getBatchCount() > 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("batch envelopes are built by this client only"));
        }
        // A query without an operation goes alone: the server refuses it, and must not refuse its batch-mates.
        boolean batchable = options.readBatchQueriesMax() > 1 && query.getQueryCase() != MetaQuery.QueryCase.QUERY_NOT_SET;
        return batchable ? reads.submit(query) : sendQuery(query);
    }

    /** One Ratis read-only request: a single query or a batch envelope. */
    private CompletableFuture<MetaReply> sendQuery(MetaQuery query) {
        Message message = toMessage(query.toByteArray());
        String what = query.getBatchCount() > 0 ? "query batch of " + query.getBatchCount() : "query " + query.getQueryCase();
        // Unordered: reads need no ordering among themselves, and the ordered window would make one
        // slow read delay the others. Linearizability comes from the server's read-index.
        return call(what, c -> c.async().sendReadOnlyUnordered(message));
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        if (minIndex <= 0) {
            return query(query);
        }
        Message message = toMessage(query.toByteArray());
        MetaPeer peer = group.peers().get(Math.floorMod(nextPeer.getAndIncrement(), group.peers().size()));
        RaftPeerId peerId = MetaGroup.raftPeerId(peer);
        RaftClient client = pick();
        return client.async().sendStaleRead(message, minIndex, peerId)
                .thenApply(RaftMetadataClient::parseReply)
                .exceptionallyCompose(e -> {
                    LOG.debug("stale read at {} from {} failed ({}); falling back to a linearizable read",
                            minIndex, peer.id(), e.toString());
                    return query(query);
                });
    }

    private CompletableFuture<MetaReply> call(String what, Function<RaftClient, CompletableFuture<RaftClientReply>> send) {
        CompletableFuture<MetaReply> result = new CompletableFuture<>();
        attempt(what, send, System.nanoTime() + options.deadline().toNanos(), 1, null, result);
        return result;
    }

    /**
     * One attempt through Ratis (which itself follows leader hints and retries lost RPCs). Some
     * failures Ratis treats as final are transient for us — a read while no leader is known
     * (ReadIndexException), a leader not ready yet — so they are retried here until the deadline.
     * A StateMachineException is the server refusing the request: final.
     */
    private void attempt(String what, Function<RaftClient, CompletableFuture<RaftClientReply>> send, long deadlineNanos,
                         int attempt, Throwable previous, CompletableFuture<MetaReply> result) {
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0 || closed) {
            result.completeExceptionally(unavailable(what, previous != null ? previous : new TimeoutException()));
            return;
        }
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = send.apply(pick());
        } catch (RuntimeException e) {
            result.completeExceptionally(unavailable(what, e));
            return;
        }
        sent.orTimeout(remainingNanos, TimeUnit.NANOSECONDS).whenComplete((reply, error) -> {
            Throwable failure = error != null ? error : reply.isSuccess() ? null : reply.getException();
            if (failure == null) {
                try {
                    result.complete(parseReply(reply));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
                return;
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof StateMachineException || cause instanceof TimeoutException || attempt >= ATTEMPTS_MAX) {
                result.completeExceptionally(translate(what, cause));
                return;
            }
            LOG.debug("{}: attempt {} failed ({}), retrying", what, attempt, cause.toString());
            CompletableFuture.delayedExecutor(RETRY_SLEEP.toLong(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS, RETRIES)
                    .execute(() -> attempt(what, send, deadlineNanos, attempt + 1, cause, result));
        });
    }

    private RuntimeException translate(String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof StateMachineException sme) {
            Throwable inner = sme.getCause() != null ? sme.getCause() : sme;
            return new InvalidMetadataRequestException(what + " rejected by the metadata group: " + inner.getMessage(), sme);
        }
        return unavailable(what, cause);
    }

    private MetadataUnavailableException unavailable(String what, Throwable cause) {
        String why = cause instanceof TimeoutException
                ? "no answer within " + options.deadline().toMillis() + " ms"
                : cause.toString();
        return new MetadataUnavailableException(what + " failed on metadata group " + group + ": " + why
                + " (check that a majority of its nodes is running and reachable, and that this client uses the"
                + " group's TLS setting (--tls-dir): mirrorfs status --meta ...)", cause);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        for (int depth = 0; depth < 8 && (t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null; depth++) {
            t = t.getCause();
        }
        return t;
    }

    private static MetaReply parseReply(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException() != null
                    ? reply.getException() : new IOException("unsuccessful reply without exception: " + reply));
        }
        try {
            // toByteArray copies: the reply buffer is not ours to keep.
            return MetaReply.parseFrom(reply.getMessage().getContent().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("metadata server sent an unparsable reply", e);
        }
    }

    private static Message toMessage(byte[] bytes) {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
    }

    private RaftClient pick() {
        return clients.get(Math.floorMod(nextClient.getAndIncrement(), clients.size()));
    }

    @Override
    public void close() {
        closed = true;
        IOException first = null;
        for (RaftClient c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            LOG.warn("closing Ratis clients of {} failed", group, first);
        }
    }
}
