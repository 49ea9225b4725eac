package io.mirrorfs.client.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.RequestId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Finding the primary and forwarding writes through a failover, against regions that enforce epochs. */
class PrimaryRouterTest {

    /** A region's group as the router sees it: its MirrorState, and the refusals the engine makes. */
    static final class FakeRegion implements MetadataClient {
        volatile MirrorState state;
        volatile boolean reachable = true;
        final List<MetaRequest> accepted = new CopyOnWriteArrayList<>();
        final List<MetaRequest> refused = new CopyOnWriteArrayList<>();
        /** Runs after each refusal (e.g. the failover completes). */
        volatile Runnable afterRefusal = () -> {};

        FakeRegion(String role, long epoch, boolean fenced) {
            state = MirrorState.newBuilder().setRole(role).setEpoch(epoch).setFenced(fenced).setChangelogLastIndex(100).build();
        }

        @Override
        public CompletableFuture<MetaReply> mutate(MetaRequest r) {
            if (!reachable) {
                return CompletableFuture.failedFuture(new RuntimeException("unreachable"));
            }
            Errno refusal = !state.getRole().equals("PRIMARY") || state.getFenced() ? Errno.EROFS
                    : r.getEpoch() != 0 && r.getEpoch() != state.getEpoch() ? Errno.ESTALE : null;
            if (refusal != null) {
                refused.add(r);
                afterRefusal.run();
                return CompletableFuture.completedFuture(MetaReply.newBuilder().setErrno(refusal.code()).build());
            }
            accepted.add(r);
            return CompletableFuture.completedFuture(MetaReply.newBuilder().setChangelogIndex(101).build());
        }

        @Override
        public CompletableFuture<MetaReply> query(MetaQuery q) {
            if (!reachable) {
                return CompletableFuture.failedFuture(new RuntimeException("unreachable"));
            }
            return CompletableFuture.completedFuture(MetaReply.newBuilder().setMirrorState(state).build());
        }

        @Override
        public CompletableFuture<MetaReply> queryAtLeast(MetaQuery q, long minIndex) {
            return query(q);
        }

        @Override
        public void close() {}
    }

    private static MetaRequest request() {
        return MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(9).setSeq(1))
                .setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.INODE).setCount(1)).build();
    }

    private static PrimaryRouter router(long failoverWaitMillis, FakeRegion... regions) {
        List<PrimaryRouter.Candidate> c = new java.util.ArrayList<>();
        for (int i = 0; i < regions.length; i++) {
            c.add(new PrimaryRouter.Candidate("r" + i, regions[i]));
        }
        return new PrimaryRouter(c, 1_000, failoverWaitMillis, System::nanoTime);
    }

    @Test
    void picksTheUnfencedPrimaryWithTheHighestEpoch() {
        FakeRegion oldPrimary = new FakeRegion("PRIMARY", 1, false); // came back after a forced promotion
        FakeRegion mirror = new FakeRegion("MIRROR", 2, false);
        FakeRegion promoted = new FakeRegion("PRIMARY", 2, false);
        FakeRegion fenced = new FakeRegion("PRIMARY", 3, true);
        FakeRegion down = new FakeRegion("PRIMARY", 9, false);
        down.reachable = false;
        PrimaryRouter router = router(0, oldPrimary, mirror, promoted, fenced, down);
        assertEquals("r2", router.primary().region());
        assertEquals(2, router.primary().epoch());
    }

    @Test
    void writesCarryThePrimarysEpochAndFollowAFailoverWithTheSameRequestId() throws Exception {
        FakeRegion a = new FakeRegion("PRIMARY", 1, false);
        FakeRegion b = new FakeRegion("MIRROR", 1, false);
        PrimaryRouter router = router(5_000, a, b);
        assertEquals(0, router.mutate(request()).getErrno());
        assertEquals(1, a.accepted.get(0).getEpoch());

        // Switchover: a is fenced; the first refusal finds b promoted at epoch 2.
        a.state = a.state.toBuilder().setFenced(true).build();
        a.afterRefusal = () -> b.state = b.state.toBuilder().setRole("PRIMARY").setEpoch(2).build();
        MetaReply reply = router.mutate(request());
        assertEquals(0, reply.getErrno());
        assertEquals(1, a.refused.size());
        assertEquals(1, b.accepted.size());
        assertEquals(2, b.accepted.get(0).getEpoch());
        assertEquals(a.refused.get(0).getRequestId(), b.accepted.get(0).getRequestId(), "a retry, not a new request");
        assertEquals("r1", router.lastRegion());
    }

    @Test
    void aStaleEpochMakesItResolveAgain() throws Exception {
        FakeRegion a = new FakeRegion("PRIMARY", 1, false);
        PrimaryRouter router = router(5_000, a);
        router.primary(); // resolved at epoch 1
        a.state = a.state.toBuilder().setEpoch(2).build(); // the region moved on (e.g. re-promoted)
        assertEquals(0, router.mutate(request()).getErrno());
        assertEquals(1, a.refused.size());
        assertEquals(2, a.accepted.get(0).getEpoch());
    }

    @Test
    void anUnreachablePrimaryIsReplacedByTheRegionPromotedMeanwhile() throws Exception {
        FakeRegion a = new FakeRegion("PRIMARY", 1, false);
        FakeRegion b = new FakeRegion("MIRROR", 1, false);
        PrimaryRouter router = router(5_000, a, b);
        router.primary();
        a.reachable = false; // the primary died; b is promoted
        b.state = b.state.toBuilder().setRole("PRIMARY").setEpoch(2).build();
        assertEquals(0, router.mutate(request()).getErrno());
        assertEquals(2, b.accepted.get(0).getEpoch());
    }

    @Test
    void aWriteWhoseOutcomeIsUnknownAtTheDeadlineFailsRatherThanClaimingErofs() {
        FakeRegion a = new FakeRegion("PRIMARY", 1, false);
        PrimaryRouter router = router(200, a);
        router.primary();
        a.reachable = false;
        org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> router.mutate(request()));
    }

    @Test
    void withNoPrimaryAWriteFailsWithErofsAndIsSentNowhere() throws Exception {
        FakeRegion fenced = new FakeRegion("PRIMARY", 1, true);
        FakeRegion mirror = new FakeRegion("MIRROR", 1, false);
        PrimaryRouter router = router(200, fenced, mirror);
        long start = System.nanoTime();
        assertEquals(Errno.EROFS.code(), router.mutate(request()).getErrno());
        assertTrue(System.nanoTime() - start >= 200_000_000L, "it kept looking for the failover wait");
        assertTrue(fenced.accepted.isEmpty() && fenced.refused.isEmpty() && mirror.accepted.isEmpty()
                && mirror.refused.isEmpty(), "nothing was sent to a region that is not the unfenced primary");
        assertNull(router.primary());
    }
}
