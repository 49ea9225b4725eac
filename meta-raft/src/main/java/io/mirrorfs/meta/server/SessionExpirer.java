package io.mirrorfs.meta.server;

import io.mirrorfs.api.proto.ExpireSessionsOp;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SessionRecord;
import io.mirrorfs.meta.engine.NamespaceEngine;
import io.mirrorfs.meta.engine.ops.SessionHandler;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.meta.engine.region.RegionState.Role;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader-side session expiry: on the ready leader of an unfenced PRIMARY group, finds sessions whose
 * last heartbeat is older than their TTL and proposes an {@link ExpireSessionsOp} naming them. The
 * decision that counts is taken at apply, on every replica, against the entry's time (see
 * {@code SessionHandler.expire}); this pass only picks candidates, so nothing is proposed while all
 * sessions are alive. A mirror group never runs it: the primary's expiries reach it in the changelog.
 *
 * <p>A new leader first waits one TTL of its own before expiring a session: clients could not
 * heartbeat during the election, and this leader's clock may be ahead of the old one's, in which case
 * heartbeats stamped by the old leader look older than they are.
 */
final class SessionExpirer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionExpirer.class);
    /** Request ids of expiries: a reserved client id (expiries bypass the dedup table). */
    static final long EXPIRER_CLIENT_ID = 0x7365_7373_0000_0001L;
    static final Duration PERIOD_DEFAULT = Duration.ofSeconds(1);

    /** What one pass needs from the node. */
    interface LeaderView {
        /** This node's term if it is the ready leader of an unfenced PRIMARY group, else -1. */
        long primaryLeaderTerm() throws IOException;

        /** Up to {@code max} sessions expired at {@code nowNs} by the applied state. */
        List<SessionRecord> expiredSessions(long nowNs, int max) throws IOException;
    }

    private final LeaderView view;
    private final Proposer proposer;
    private final LongSupplier wallClockNanos;
    private final LongSupplier monotonicNanos;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("meta-session-expirer").factory());
    private long leaderTerm = -1;
    private long leaderSinceNanos;
    private long seq;

    /** Proposes a request through this node's own group; throws if it is refused or unanswered. */
    @FunctionalInterface
    interface Proposer {
        void propose(MetaRequest request) throws IOException;
    }

    SessionExpirer(LeaderView view, Proposer proposer, LongSupplier wallClockNanos, LongSupplier monotonicNanos) {
        this.view = view;
        this.proposer = proposer;
        this.wallClockNanos = wallClockNanos;
        this.monotonicNanos = monotonicNanos;
    }

    /** The expirer of a running node (its leader state, its engine, the wall clock its prepare uses). */
    static SessionExpirer forNode(MetaServer node, Proposer proposer) {
        Clock clock = Clock.systemUTC();
        return new SessionExpirer(new NodeView(node), proposer, () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }, System::nanoTime);
    }

    void start(Duration period) {
        long millis = period.toMillis();
        scheduler.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (IOException | RuntimeException e) {
            LOG.warn("session expiry pass failed; retrying next pass", e);
        }
    }

    /** One pass: returns the session ids proposed for expiry (empty when nothing is due). */
    synchronized List<Long> runOnce() throws IOException {
        long term = view.primaryLeaderTerm();
        if (term < 0) {
            leaderTerm = -1;
            return List.of();
        }
        long mono = monotonicNanos.getAsLong();
        if (term != leaderTerm) {
            leaderTerm = term;
            leaderSinceNanos = mono;
        }
        long leaderForNanos = mono - leaderSinceNanos;
        List<SessionRecord> due = new ArrayList<>();
        for (SessionRecord r : view.expiredSessions(wallClockNanos.getAsLong(), SessionHandler.EXPIRE_SESSIONS_MAX)) {
            if (leaderForNanos > SessionHandler.ttlNanos(r)) {
                due.add(r);
            }
        }
        if (due.isEmpty()) {
            return List.of();
        }
        ExpireSessionsOp.Builder op = ExpireSessionsOp.newBuilder();
        for (SessionRecord r : due) {
            op.addSessionIds(r.getSessionId());
            LOG.info("expiring session {} (host {}, pid {}, mount {}): no heartbeat for {} ms, TTL {} ms; its locks"
                            + " are released", r.getSessionId(), r.getInfo().getHost(), r.getInfo().getPid(),
                    r.getInfo().getMountPoint(), (wallClockNanos.getAsLong() - r.getHeartbeatNs()) / 1_000_000,
                    SessionHandler.ttlNanos(r) / 1_000_000);
        }
        try {
            proposer.propose(MetaRequest.newBuilder()
                    .setRequestId(RequestId.newBuilder().setClientId(EXPIRER_CLIENT_ID).setSeq(++seq))
                    .setExpireSessions(op).build());
        } catch (IOException e) {
            // Refused with ENOENT when a heartbeat got in first: the session is alive after all.
            LOG.info("session expiry of {} not applied: {}", op.getSessionIdsList(), e.getMessage());
            return List.of();
        }
        return op.getSessionIdsList();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** The running node as a {@link LeaderView}. */
    private record NodeView(MetaServer node) implements LeaderView {
        @Override
        public long primaryLeaderTerm() throws IOException {
            var info = node.division().getInfo();
            if (!info.isLeader() || !info.isLeaderReady()) {
                return -1;
            }
            RegionState region = node.stateMachine().regionState();
            if (region == null || region.role() != Role.PRIMARY || region.refusesClientMutations()) {
                return -1;
            }
            return info.getCurrentTerm();
        }

        @Override
        public List<SessionRecord> expiredSessions(long nowNs, int max) throws IOException {
            NamespaceEngine engine = node.stateMachine().engine();
            if (engine == null) {
                return List.of();
            }
            return engine.read(state -> SessionHandler.expiredSessions(state, nowNs, max));
        }
    }
}
