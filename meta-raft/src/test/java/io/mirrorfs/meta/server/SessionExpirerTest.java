package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.api.proto.SessionRecord;
import io.mirrorfs.meta.engine.ops.SessionHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The leader-side pass with fake clocks and a fake node: it proposes only as the leader of an
 * unfenced primary (a mirror gets its expiries through the changelog), only sessions expired by the
 * applied state, and a new leader waits one TTL of its own first.
 */
class SessionExpirerTest {
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    private long term = 1;
    private long wallNs = 100 * SECOND_NS;
    private long monoNs = 5 * SECOND_NS;
    private final List<SessionRecord> sessions = new ArrayList<>();
    private final List<MetaRequest> proposed = new ArrayList<>();

    private final SessionExpirer expirer = new SessionExpirer(new SessionExpirer.LeaderView() {
        @Override
        public long primaryLeaderTerm() {
            return term;
        }

        @Override
        public List<SessionRecord> expiredSessions(long nowNs, int max) {
            return sessions.stream().filter(s -> SessionHandler.expired(s, nowNs)).limit(max).toList();
        }
    }, proposed::add, () -> wallNs, () -> monoNs);

    @Test
    void aNewLeaderWaitsOneTtlThenProposesOnlyExpiredSessions() throws IOException {
        sessions.add(session(1, 2_000, wallNs - 5 * SECOND_NS)); // long silent
        sessions.add(session(2, 2_000, wallNs - SECOND_NS)); // alive
        assertThat(expirer.runOnce()).as("first pass as leader: grace").isEmpty();
        monoNs += 2 * SECOND_NS + 1;
        wallNs += 2 * SECOND_NS + 1;
        assertThat(expirer.runOnce()).as("2 s later: session 2 is 3 s silent too").containsExactly(1L, 2L);
        assertThat(proposed).hasSize(1);
        assertThat(proposed.get(0).getExpireSessions().getSessionIdsList()).containsExactly(1L, 2L);
        assertThat(proposed.get(0).hasRequestId()).isTrue();

        term = 2; // a new term (this node re-elected): grace again
        assertThat(expirer.runOnce()).isEmpty();
        assertThat(proposed).hasSize(1);
    }

    @Test
    void notTheLeaderOfAnUnfencedPrimaryProposesNothing() throws IOException {
        sessions.add(session(1, 1_000, 0));
        term = -1; // follower, mirror group, fenced primary
        monoNs += 100 * SECOND_NS;
        assertThat(expirer.runOnce()).isEmpty();
        term = 3; // becomes leader: the grace starts now, not at some earlier leadership
        assertThat(expirer.runOnce()).isEmpty();
        monoNs += SECOND_NS + 1;
        assertThat(expirer.runOnce()).containsExactly(1L);
    }

    private static SessionRecord session(long id, int ttlMillis, long heartbeatNs) {
        return SessionRecord.newBuilder().setSessionId(id).setHeartbeatNs(heartbeatNs)
                .setInfo(OpenSessionOp.newBuilder().setTtlMs(ttlMillis)).build();
    }
}
