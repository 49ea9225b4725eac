package io.mirrorfs.client.mirror;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the current primary among the regions a mount knows and forwards mutations to it (DESIGN
 * §4 "Writes on a mirror mount", §5). The primary is the region whose MirrorState says role PRIMARY,
 * not fenced, with the highest epoch; roles in a topology file are only initial roles.
 *
 * <p>Every forwarded mutation carries the epoch of the primary it targets (MetaRequest.epoch), so a
 * deposed primary refuses it (ESTALE) instead of applying it. A refusal with EROFS (fenced, or the
 * region has become a mirror) or ESTALE (stale epoch) makes the router re-resolve and retry with the
 * same request id until {@code failoverWaitMillisMax}; if no primary is found by then the mutation
 * fails with EROFS. It is never sent to a region that does not say it is the unfenced primary.
 */
public final class PrimaryRouter {
    private static final Logger log = LoggerFactory.getLogger(PrimaryRouter.class);
    private static final long BACKOFF_MILLIS_FIRST = 20;
    private static final long BACKOFF_MILLIS_MAX = 500;
    /** One attempt's wait before resending (same request id) or looking for another primary. */
    private static final long ATTEMPT_MILLIS_MAX = 5_000;

    /** A region that may be (or become) the primary. */
    public record Candidate(String region, MetadataClient client) {}

    /** The resolved primary: mutations go to {@code client} stamped with {@code epoch}. */
    public record Primary(String region, MetadataClient client, long epoch) {}

    private final List<Candidate> candidates;
    private final long probeTimeoutMillis;
    private final long failoverWaitMillisMax;
    private final LongSupplier clock;
    private volatile Primary current;
    private volatile String lastRegion;

    public PrimaryRouter(List<Candidate> candidates, long probeTimeoutMillis, long failoverWaitMillisMax,
                         LongSupplier nanoClock) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a mirror mount needs at least one region that may be the primary");
        }
        this.candidates = List.copyOf(candidates);
        this.probeTimeoutMillis = probeTimeoutMillis;
        this.failoverWaitMillisMax = failoverWaitMillisMax;
        this.clock = nanoClock;
        this.lastRegion = candidates.get(0).region();
    }

    /** The current primary, resolving it if unknown; null if no region says it is the unfenced primary. */
    public Primary primary() {
        Primary p = current;
        return p != null ? p : resolve();
    }

    /** The region mutations went (or will go) to last; for choosing the store to upload to. */
    public String lastRegion() {
        Primary p = current;
        return p != null ? p.region() : lastRegion;
    }

    /** Asks every candidate for its MirrorState (in parallel, bounded) and picks the primary. */
    public synchronized Primary resolve() {
        List<CompletableFuture<MetaReply>> replies = new ArrayList<>();
        for (Candidate c : candidates) {
            CompletableFuture<MetaReply> r;
            try {
                r = c.client().query(stateQuery());
            } catch (RuntimeException e) {
                r = CompletableFuture.failedFuture(e);
            }
            replies.add(r);
        }
        long deadline = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(probeTimeoutMillis);
        Primary best = null;
        for (int i = 0; i < candidates.size(); i++) {
            MirrorState s = stateOrNull(replies.get(i), deadline, candidates.get(i).region());
            if (s != null && "PRIMARY".equals(s.getRole()) && !s.getFenced()
                    && (best == null || s.getEpoch() > best.epoch())) {
                best = new Primary(candidates.get(i).region(), candidates.get(i).client(), s.getEpoch());
            }
        }
        if (best != null && (current == null || !best.region().equals(current.region()) || best.epoch() != current.epoch())) {
            log.info("primary is region {} at epoch {}", best.region(), best.epoch());
        }
        current = best;
        if (best != null) {
            lastRegion = best.region();
        }
        return best;
    }

    private MirrorState stateOrNull(CompletableFuture<MetaReply> reply, long deadline, String region) {
        try {
            long waitNanos = Math.max(1, deadline - clock.getAsLong());
            MetaReply r = reply.get(waitNanos, TimeUnit.NANOSECONDS);
            return r.getErrno() == 0 && r.hasMirrorState() ? r.getMirrorState() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            reply.cancel(false);
            log.debug("region {} did not report its state: {}", region, e.toString());
            return null;
        }
    }

    /**
     * Forwards a mutation (request id already set) to the primary. Returns its reply, or a reply with
     * errno EROFS when no primary accepted it within the failover wait. If an attempt went unanswered
     * (primary unreachable or slow), the mutation is resent with the same request id — to the same or
     * a newly found primary; the engine's request-id dedup makes that safe — and if the wait ends
     * with its outcome still unknown the call fails (EIO at the gateway), not EROFS.
     */
    public MetaReply mutate(MetaRequest request) throws InterruptedException, ExecutionException {
        long deadline = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(failoverWaitMillisMax);
        long backoffMillis = BACKOFF_MILLIS_FIRST;
        String lastRefusal = "no region reports itself the unfenced primary";
        Throwable unanswered = null;
        while (true) {
            Primary p = primary();
            if (p != null) {
                CompletableFuture<MetaReply> sent = p.client().mutate(request.toBuilder().setEpoch(p.epoch()).build());
                long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(ATTEMPT_MILLIS_MAX),
                        Math.max(TimeUnit.MILLISECONDS.toNanos(probeTimeoutMillis), deadline - clock.getAsLong()));
                try {
                    MetaReply reply = sent.get(waitNanos, TimeUnit.NANOSECONDS);
                    Errno errno = Errno.of(reply.getErrno());
                    if (reply.getErrno() == 0 || (errno != Errno.EROFS && errno != Errno.ESTALE)) {
                        return reply;
                    }
                    lastRefusal = "region " + p.region() + " at epoch " + p.epoch() + " refused with " + errno;
                } catch (ExecutionException | TimeoutException e) {
                    sent.cancel(false);
                    unanswered = e instanceof ExecutionException ? e.getCause() : e;
                    lastRefusal = "region " + p.region() + " did not answer: " + unanswered;
                }
                log.info("{} {}; finding the primary again", request.getOpCase(), lastRefusal);
                forget(p);
            }
            if (clock.getAsLong() - deadline >= 0) {
                log.warn("{} not accepted by any primary within {} ms: {}", request.getOpCase(), failoverWaitMillisMax,
                        lastRefusal);
                if (unanswered != null) {
                    throw new ExecutionException(request.getOpCase() + ": outcome unknown, " + lastRefusal, unanswered);
                }
                return MetaReply.newBuilder().setErrno(Errno.EROFS.code()).build();
            }
            Thread.sleep(backoffMillis); // between resolutions of a failover in progress: bounded backoff
            backoffMillis = Math.min(BACKOFF_MILLIS_MAX, backoffMillis * 2);
        }
    }

    /** A query that only the primary can answer (locks). */
    public CompletableFuture<MetaReply> queryPrimary(MetaQuery query) {
        Primary p = primary();
        if (p == null) {
            return CompletableFuture.completedFuture(MetaReply.newBuilder().setErrno(Errno.EROFS.code()).build());
        }
        return p.client().query(query);
    }

    /** The primary's newest changelog index (what a linearizable mirror read waits for). */
    public CompletableFuture<Long> newestChangelogIndex() {
        Primary p = primary();
        if (p == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no region reports itself the unfenced primary"));
        }
        return p.client().query(stateQuery()).thenApply(r -> {
            if (r.getErrno() != 0 || !r.hasMirrorState()) {
                throw new IllegalStateException("primary " + p.region() + " answered MirrorStateQuery with errno "
                        + r.getErrno());
            }
            MirrorState s = r.getMirrorState();
            if (!"PRIMARY".equals(s.getRole()) || s.getEpoch() != p.epoch()) {
                forget(p); // it changed role: the next probe resolves again
            }
            return s.getChangelogLastIndex();
        });
    }

    private synchronized void forget(Primary stale) {
        if (current == stale) {
            current = null;
        }
    }

    static MetaQuery stateQuery() {
        return MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build();
    }
}
