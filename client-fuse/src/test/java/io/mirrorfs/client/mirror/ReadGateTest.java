package io.mirrorfs.client.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.api.Errno;
import io.mirrorfs.client.FsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consistency gate on a fake clock with fake progress: what each mode waits for, that polling
 * is shared, and that waits end with a clear EIO at the deadline. Real threads wait, but no test
 * sleeps: the fake probes drive time and progress.
 */
class ReadGateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FakeProbe primary = new FakeProbe();
    private final FakeProbe mirror = new FakeProbe();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService readers = Executors.newFixedThreadPool(16);

    @AfterEach
    void stop() {
        readers.shutdownNow();
        scheduler.shutdownNow();
    }

    private ReadGate gate(ConsistencyMode mode, long waitMillisMax) {
        MirrorProgress progress = new MirrorProgress(mirror, scheduler, 1, 1000);
        return new ReadGate(mode, new PrimaryIndexSampler(primary, now::get), progress, now::get, waitMillisMax);
    }

    @Test
    void sessionReadsWaitOnlyForTheMountsOwnWritesAndNeverAskThePrimary() throws Exception {
        ReadGate gate = gate(ConsistencyMode.SESSION, 5_000);
        primary.index.set(100);
        assertEquals(0, gate.awaitReadable(), "nothing written or seen: served at once");
        assertEquals(0, mirror.calls.get());

        gate.wrote(7);
        mirror.index.set(5);
        mirror.onCall = () -> mirror.index.set(Math.min(7, mirror.index.get() + 1)); // the mirror catches up
        assertEquals(7, gate.awaitReadable());
        assertTrue(gate.mirrorApplied() >= 7);
        assertEquals(0, primary.calls.get(), "session mode never probes the primary");
    }

    @Test
    void sessionReadsAreMonotonicAfterAnObservedReply() throws Exception {
        ReadGate gate = gate(ConsistencyMode.SESSION, 5_000);
        gate.observed(12); // a reply reflected primary index 12
        assertEquals(12, gate.sessionFloor());
        assertEquals(12, gate.awaitReadable(), "a later read may not be served from before 12");
        assertEquals(0, mirror.calls.get(), "the reply itself proved the mirror is at 12");
    }

    @Test
    void linearizableReadsWaitForThePrimarysNewestIndex() throws Exception {
        ReadGate gate = gate(ConsistencyMode.LINEARIZABLE, 5_000);
        primary.index.set(40);
        mirror.index.set(30);
        mirror.onCall = () -> mirror.index.addAndGet(5);
        assertEquals(40, gate.awaitReadable());
        assertTrue(mirror.index.get() >= 40);
        assertEquals(1, primary.calls.get());
        now.addAndGet(1);
        primary.index.set(41);
        assertEquals(41, gate.awaitReadable(), "the next read learns the primary's index again");
        assertEquals(2, primary.calls.get());
    }

    @Test
    void boundedReadsReuseASampleYoungerThanTheBound() throws Exception {
        ReadGate gate = gate(new ConsistencyMode.Bounded(Duration.ofSeconds(1)), 5_000);
        primary.index.set(10);
        mirror.index.set(10);
        assertEquals(10, gate.awaitReadable());
        primary.index.set(20);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        assertEquals(10, gate.awaitReadable(), "a 0.9 s old sample still meets a 1 s bound");
        assertEquals(1, primary.calls.get());
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        mirror.onCall = () -> mirror.index.set(20);
        assertEquals(20, gate.awaitReadable(), "a 1.1 s old sample does not: refreshed, and the read waits for it");
        assertEquals(2, primary.calls.get());
    }

    @Test
    void aWaitPastTheDeadlineFailsWithEioNamingTheLagAndPollingStops() throws Exception {
        MirrorProgress progress = new MirrorProgress(mirror, scheduler, 1, 1000);
        ReadGate gate = new ReadGate(ConsistencyMode.LINEARIZABLE, new PrimaryIndexSampler(primary, now::get), progress,
                now::get, 1_000);
        primary.index.set(50);
        mirror.index.set(20);
        mirror.onCall = () -> now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // a stuck mirror; time passes
        FsException e = assertThrows(FsException.class, gate::awaitReadable);
        assertEquals(Errno.EIO, e.errno());
        assertTrue(e.getMessage().contains("apply primary index 50") && e.getMessage().contains("30 entries behind"),
                e.getMessage());
        awaitCondition(() -> !progress.isPolling()); // no one waits any more: no more RPCs
    }

    @Test
    void anUnreachablePrimaryFailsLinearizableReadsWithEio() {
        ReadGate gate = new ReadGate(ConsistencyMode.LINEARIZABLE, new PrimaryIndexSampler(
                () -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no primary")), now::get),
                new MirrorProgress(mirror, scheduler, 1, 10), now::get, 1_000);
        FsException e = assertThrows(FsException.class, gate::awaitReadable);
        assertEquals(Errno.EIO, e.errno());
        assertTrue(e.getMessage().contains("no primary"), e.getMessage());
    }

    @Test
    void manyWaitingReadsSharePollsAndPrimaryProbes() throws Exception {
        // The fake clock stands still: every read arrives at the same instant, so one primary probe
        // serves them all (the queueing of later arrivals is PrimaryIndexSamplerTest's subject).
        ReadGate gate = gate(ConsistencyMode.LINEARIZABLE, 30_000);
        primary.index.set(100);
        mirror.index.set(0);
        // The mirror advances by 10 per poll: ten polls are needed whatever the number of readers.
        mirror.onCall = () -> mirror.index.addAndGet(10);
        List<Future<Long>> reads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reads.add(readers.submit(gate::awaitReadable));
        }
        for (Future<Long> r : reads) {
            assertEquals(100, r.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, primary.calls.get(), "16 readers arriving together, one primary probe");
        assertTrue(mirror.calls.get() <= 12, "16 readers, " + mirror.calls.get() + " mirror polls");
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }
}
