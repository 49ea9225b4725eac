package io.mirrorfs.client.meta;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.client.FsException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of the metadata group: stamps each mutation with a request id (random client id,
 * increasing sequence) and the caller, waits a bounded time, and turns a reply's errno — or the
 * group being unreachable — into an {@link FsException}. Remembers the highest index it has seen.
 */
public final class MetaGateway {
    private static final Logger log = LoggerFactory.getLogger(MetaGateway.class);

    private final MetadataClient client;
    /** Random until the mount has a session; then the session id, so closing the session drops our dedup rows. */
    private volatile long clientId;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong highestIndexSeen = new AtomicLong();
    private final long timeoutMillis;
    private final MetaOpStats stats = new MetaOpStats();

    public MetaGateway(MetadataClient client, Duration timeout) {
        this.client = client;
        this.clientId = new SecureRandom().nextLong() & Long.MAX_VALUE;
        this.timeoutMillis = timeout.toMillis();
    }

    public MetaReply mutate(Caller caller, MetaRequest.Builder request) throws FsException {
        return mutate(caller, request, timeoutMillis);
    }

    /** A mutation with its own bound on the wait (session heartbeats must not wait longer than their period). */
    public MetaReply mutate(Caller caller, MetaRequest.Builder request, long timeoutMillis) throws FsException {
        request.setRequestId(RequestId.newBuilder().setClientId(clientId).setSeq(sequence.incrementAndGet()))
                .setCaller(caller);
        MetaRequest built = request.build();
        long start = System.nanoTime();
        try {
            return await(client.mutate(built), built.getOpCase().name(), timeoutMillis);
        } finally {
            stats.record(built.getOpCase().name(), System.nanoTime() - start);
        }
    }

    public MetaReply query(Caller caller, MetaQuery.Builder query) throws FsException {
        MetaQuery built = query.setCaller(caller).build();
        long start = System.nanoTime();
        try {
            return await(client.query(built), built.getQueryCase().name(), timeoutMillis);
        } finally {
            stats.record(built.getQueryCase().name(), System.nanoTime() - start);
        }
    }

    /** Round trips made so far, per operation kind. */
    public MetaOpStats stats() {
        return stats;
    }

    public long highestIndexSeen() {
        return highestIndexSeen.get();
    }

    /**
     * The server deletes the dedup rows of client id = session id when the session closes, so a mount
     * stamps its requests with its session id once it has one. The sequence carries on, so request ids
     * stay unique.
     */
    public void useSessionAsClientId(long sessionId) {
        if (sessionId > 0) {
            clientId = sessionId;
        }
    }

    private MetaReply await(CompletableFuture<MetaReply> future, String what, long timeoutMillis) throws FsException {
        MetaReply reply;
        try {
            reply = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FsException(Errno.EIO, "interrupted waiting for metadata " + what, e);
        } catch (TimeoutException e) {
            future.cancel(false);
            log.warn("metadata {} timed out after {} ms", what, timeoutMillis);
            throw new FsException(Errno.EIO, "metadata " + what + " timed out", e);
        } catch (ExecutionException e) {
            log.warn("metadata {} failed: {}", what, e.getCause().toString());
            throw new FsException(Errno.EIO, "metadata " + what + " failed: " + e.getCause(), e.getCause());
        }
        highestIndexSeen.accumulateAndGet(reply.getIndex(), Math::max);
        if (reply.getErrno() != 0) {
            throw new FsException(Errno.of(reply.getErrno()), what + ": " + Errno.of(reply.getErrno()));
        }
        return reply;
    }
}
