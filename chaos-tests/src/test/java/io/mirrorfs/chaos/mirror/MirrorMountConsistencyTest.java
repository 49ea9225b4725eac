package io.mirrorfs.chaos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.chaos.check.RegisterLinearizabilityChecker;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.mirror.ConsistencyMode;
import io.mirrorfs.client.mirror.MirrorMountConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that reads on a mirror FUSE mount keep the promise of their --consistency mode while the
 * mirror lags the primary: linearizable reads are linearizable with the primary's writes, session
 * reads give read-your-writes (for writes forwarded from the mirror mount) and monotonic reads,
 * bounded reads are never staler than the bound. Each is checked over a recorded history.
 *
 * <p>Fault model: the mirror's changelog link passes a TCP proxy adding {@link #LINK_DELAY} each
 * way, so the mirror is always a few hundred ms behind a busy primary; no crashes or partitions.
 * Parts: in-process primary and mirror MetaServers (real Ratis), local-directory stores, real FUSE
 * mounts with TTL 0. Replay: timing-driven (not seeded); a failure prints the checker's anomalies
 * with the operations involved — rerun with {@code -Dtest=MirrorMountConsistencyTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorMountConsistencyTest {
    private static final Duration LINK_DELAY = Duration.ofMillis(150);
    /**
     * Workload length. Linearizable reads are slow here by design: each of the 3–4 metadata queries
     * of an open+read waits for the lagging mirror to reach the primary's newest index.
     */
    private static final Duration RUN = Duration.ofSeconds(6);
    private static final List<String> SHARED_KEYS = List.of("k0", "k1", "k2");

    @TempDir
    static Path dir;
    private MirrorRegions regions;
    private MountedVolume primaryMount;
    private final Map<String, Long> nextValue = new HashMap<>();

    @BeforeAll
    void startRegions() throws Exception {
        regions = MirrorRegions.start(dir, LINK_DELAY);
        primaryMount = regions.mountPrimary("primary-mnt");
    }

    @AfterAll
    void stopRegions() throws Exception {
        if (regions != null) {
            regions.close();
        }
    }

    /** Every shared key exists with a recorded value, and the mirror has it, before readers start. */
    private void seed(RegisterFiles files) throws Exception {
        for (String key : SHARED_KEYS) {
            files.write(0, primaryMount.mountPoint(), key, RegisterFiles.value(next(key)));
        }
        regions.awaitMirrorCaughtUp();
    }

    private synchronized long next(String key) {
        return nextValue.merge(key, 1L, Long::sum);
    }

    /** Process 0 writes the shared keys on the primary mount; {@code others} run as processes 1..n until the end. */
    private void run(RegisterFiles files, int others, IntConsumer step) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(others + 1);
        long end = System.nanoTime() + RUN.toNanos();
        try {
            List<Future<?>> running = new ArrayList<>();
            running.add(threads.submit(() -> {
                Random random = new Random(1);
                while (System.nanoTime() < end) {
                    String key = SHARED_KEYS.get(random.nextInt(SHARED_KEYS.size()));
                    files.write(0, primaryMount.mountPoint(), key, RegisterFiles.value(next(key)));
                }
            }));
            for (int p = 1; p <= others; p++) {
                int process = p;
                running.add(threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        step.accept(process);
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(RUN.toSeconds() + 120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static long okReads(List<Operation> history) {
        return history.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK).count();
    }

    /** Reads that missed a write completed before they began (allowed in session mode, proof of lag). */
    private static long staleReads(List<Operation> history) {
        WriteOrder order = new WriteOrder(history);
        return history.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK
                && SHARED_KEYS.contains(o.key()))
                .filter(o -> order.position(o.key(), o.value()) < order.lastCompletedBefore(o.key(), o.invokeNanos()))
                .count();
    }

    private static long failedOps(List<Operation> history) {
        return history.stream().filter(o -> o.outcome() != Outcome.OK).count();
    }

    @Test
    void linearizableReadsOnTheMirrorAreLinearizableWithThePrimarysWrites() throws Exception {
        HistoryRecorder history = new HistoryRecorder(100_000);
        RegisterFiles files = new RegisterFiles(history);
        seed(files);
        MirrorRegions.MirrorMount mirror = regions.mountMirror("lin-mnt",
                MirrorMountConfig.defaults().withConsistency(ConsistencyMode.LINEARIZABLE));
        Random random = new Random(2);
        run(files, 3, p -> files.read(p, mirror.volume().mountPoint(), SHARED_KEYS.get(random.nextInt(SHARED_KEYS.size()))));

        List<Operation> ops = history.snapshot();
        Verdict verdict = RegisterLinearizabilityChecker.withDefaultBudget().check(ops);
        assertThat(verdict.valid()).as(verdict.toString()).isTrue();
        assertThat(okReads(ops)).as("reads served").isGreaterThanOrEqualTo(6);
        assertThat(failedOps(ops)).as("no read or write failed or timed out").isZero();
    }

    @Test
    void sessionReadsSeeTheirOwnForwardedWritesAndNeverGoBack() throws Exception {
        HistoryRecorder history = new HistoryRecorder(100_000);
        RegisterFiles files = new RegisterFiles(history);
        seed(files);
        MirrorRegions.MirrorMount mirror = regions.mountMirror("session-mnt", MirrorMountConfig.defaults());
        Map<Integer, Long> own = new HashMap<>();
        Random random = new Random(3);
        run(files, 2, p -> {
            String ownKey = "own-" + p;
            long n;
            synchronized (own) {
                n = own.merge(p, 1L, Long::sum);
            }
            files.write(p, mirror.volume().mountPoint(), ownKey, RegisterFiles.value(n)); // forwarded to the primary
            files.read(p, mirror.volume().mountPoint(), ownKey);
            files.read(p, mirror.volume().mountPoint(), SHARED_KEYS.get(random.nextInt(SHARED_KEYS.size())));
        });

        List<Operation> ops = history.snapshot();
        Verdict verdict = new SessionGuaranteesChecker().check(ops);
        assertThat(verdict.valid()).as(verdict.toString()).isTrue();
        // The fault is real: reads of the primary writer's keys were served from a lagging mirror.
        assertThat(staleReads(ops)).as("shared-key reads older than the newest completed write").isPositive();
        assertThat(ops.stream().filter(o -> o.type() == OpType.READ && o.key().startsWith("own-")
                && o.outcome() == Outcome.OK).count()).as("own-write reads").isGreaterThanOrEqualTo(5);
        assertThat(failedOps(ops)).as("no read or write failed or timed out").isZero();
    }

    @Test
    void boundedReadsAreNeverStalerThanTheBound() throws Exception {
        Duration bound = Duration.ofMillis(100); // below the mirror's lag: reads must wait
        HistoryRecorder history = new HistoryRecorder(100_000);
        RegisterFiles files = new RegisterFiles(history);
        seed(files);
        MirrorRegions.MirrorMount mirror = regions.mountMirror("bounded-mnt",
                MirrorMountConfig.defaults().withConsistency(new ConsistencyMode.Bounded(bound)));
        Random random = new Random(4);
        run(files, 3, p -> files.read(p, mirror.volume().mountPoint(), SHARED_KEYS.get(random.nextInt(SHARED_KEYS.size()))));

        List<Operation> ops = history.snapshot();
        Verdict verdict = new BoundedStalenessChecker(bound.toNanos()).check(ops);
        assertThat(verdict.valid()).as(verdict.toString()).isTrue();
        assertThat(okReads(ops)).as("reads served").isGreaterThanOrEqualTo(10);
        assertThat(failedOps(ops)).as("no read or write failed or timed out").isZero();
    }
}
