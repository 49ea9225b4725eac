package io.mirrorfs.client.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sharing rules of primary probes, on a fake clock. */
class PrimaryIndexSamplerTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final FakeProbe probe = new FakeProbe();
    private final PrimaryIndexSampler sampler = new PrimaryIndexSampler(probe, now::get);

    @Test
    void aReadArrivingWhileAnOlderProbeIsInFlightWaitsForTheNextOneWhichArrivalsShare() {
        probe.hold = true;
        probe.index.set(5);
        CompletableFuture<PrimaryIndexSampler.Sample> first = sampler.sentAtOrAfter(now.get()); // probe sent at 1000
        now.set(1_001);
        CompletableFuture<PrimaryIndexSampler.Sample> a = sampler.sentAtOrAfter(now.get());
        now.set(1_002);
        CompletableFuture<PrimaryIndexSampler.Sample> b = sampler.sentAtOrAfter(now.get());
        CompletableFuture<PrimaryIndexSampler.Sample> older = sampler.sentAtOrAfter(900); // may share the first
        assertEquals(1, probe.calls.get(), "reads arriving meanwhile queue up, they do not each probe");

        probe.releaseAll(); // first answers with 5; the queued probe is sent now (at 1002)
        assertEquals(5, first.join().primaryIndex());
        assertEquals(5, older.join().primaryIndex());
        assertFalse(a.isDone(), "a probe sent before the read arrived may miss writes acknowledged meanwhile");
        assertEquals(2, probe.calls.get());

        probe.index.set(9);
        probe.releaseAll();
        assertEquals(9, a.join().primaryIndex());
        assertEquals(9, b.join().primaryIndex());
        assertEquals(1_002, a.join().sentNanos());
        assertEquals(2, probe.calls.get(), "one probe served both queued reads");
    }

    @Test
    void aFreshEnoughSampleIsReusedAndAStaleOneRefreshed() {
        probe.index.set(3);
        assertEquals(3, sampler.sentAtOrAfter(now.get()).join().primaryIndex());
        probe.index.set(4);
        now.addAndGet(500);
        assertEquals(3, sampler.sentAtOrAfter(now.get() - 1_000).join().primaryIndex(), "within the bound: reused");
        assertEquals(1, probe.calls.get());
        now.addAndGet(600);
        assertEquals(4, sampler.sentAtOrAfter(now.get() - 1_000).join().primaryIndex(), "older than the bound: refreshed");
        assertEquals(2, probe.calls.get());
    }

    @Test
    void aFailedProbeFailsItsWaitersAndTheNextReadProbesAgain() {
        FakeProbe failing = new FakeProbe();
        PrimaryIndexSampler s = new PrimaryIndexSampler(
                () -> failing.calls.incrementAndGet() == 1 ? CompletableFuture.failedFuture(new RuntimeException("down"))
                        : CompletableFuture.completedFuture(7L), now::get);
        assertTrue(s.sentAtOrAfter(now.get()).isCompletedExceptionally());
        assertEquals(7, s.sentAtOrAfter(now.get()).join().primaryIndex());
    }
}
