package io.mirrorfs.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lag arithmetic on hand-made timelines: what the benchmark's lag figures mean. */
class LagTrackerTest {
    private static final long MS = 1_000_000;

    @Test
    void eachIndexLagsUntilTheFirstSampleAtOrPastIt() {
        LagTracker t = new LagTracker();
        t.primaryApplied(5, 100 * MS);
        t.primaryApplied(7, 110 * MS);
        t.primaryApplied(6, 105 * MS); // writers complete out of index order
        t.mirrorReached(4, 150 * MS);  // not yet
        t.mirrorReached(6, 160 * MS);  // 5 and 6
        t.mirrorReached(6, 170 * MS);  // no news
        t.mirrorReached(9, 300 * MS);  // 7

        LagTracker.Summary s = t.summary(300 * MS);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.pending()).isZero();
        assertThat(s.p50Millis()).isEqualTo(60.0);  // 5: 160-100, 6: 160-105 = 55, 7: 300-110 = 190
        assertThat(s.maxMillis()).isEqualTo(190.0);
    }

    @Test
    void anIndexTheMirrorShowedBeforeTheWriterKnewCountsAsNoLagAndUnseenOnesStayPending() {
        LagTracker t = new LagTracker();
        t.mirrorReached(10, 100 * MS);
        t.primaryApplied(9, 120 * MS);
        t.primaryApplied(11, 130 * MS);

        LagTracker.Summary s = t.summary(200 * MS);
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.maxMillis()).isZero();
        assertThat(s.pending()).isEqualTo(1);
        assertThat(s.oldestPendingMillis()).isEqualTo(70.0);
    }

    @Test
    void resetForgetsTheWarmUpIncludingWritesTheMirrorHasNotSeenYet() {
        LagTracker t = new LagTracker();
        t.primaryApplied(3, 0);
        t.mirrorReached(3, 900 * MS); // a slow warm-up
        t.primaryApplied(4, 950 * MS);
        t.reset();
        t.primaryApplied(4, 950 * MS); // a duplicate report of a warm-up index is still ignored
        t.primaryApplied(5, 1_000 * MS);
        t.mirrorReached(5, 1_020 * MS);

        LagTracker.Summary s = t.summary(1_020 * MS);
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.maxMillis()).isEqualTo(20.0);
        assertThat(s.pending()).isZero();
    }

    @Test
    void pacerHandsOutPermitsAtItsRateAndCapsTheBacklog() {
        Pacer p = new Pacer(10, 0); // one per 100 ms
        assertThat(p.tryTake(0)).isTrue();
        assertThat(p.tryTake(50 * MS)).isFalse();
        assertThat(p.nanosUntilDue(50 * MS)).isEqualTo(50 * MS);
        assertThat(p.tryTake(100 * MS)).isTrue();
        // After a 10 s stall at most 1 s of backlog (10 permits) is handed out at once.
        int burst = 0;
        while (p.tryTake(10_100 * MS)) {
            burst++;
        }
        assertThat(burst).isEqualTo(11);
        assertThat(new Pacer(0, 0).tryTake(0)).isTrue();
    }
}
