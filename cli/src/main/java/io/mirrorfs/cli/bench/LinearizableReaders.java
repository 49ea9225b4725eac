package io.mirrorfs.cli.bench;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.client.mirror.ConsistencyMode;
import io.mirrorfs.client.mirror.MirrorMetadataClient;
import io.mirrorfs.client.mirror.MirrorMountConfig;
import io.mirrorfs.client.mirror.PrimaryRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * R closed-loop readers doing getattr through one linearizable {@link MirrorMetadataClient}, the
 * client a {@code --consistency linearizable} mirror mount uses: reads are served by the mirror's
 * group after it has applied the primary's newest index, learnt by a probe to the primary that
 * crosses the delayed link ({@link RemotePrimaryClient}, which counts the probes). The figure of
 * interest is probes per read: at most one, and shared by concurrent reads.
 */
final class LinearizableReaders implements AutoCloseable {
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final long JOIN_MILLIS = 2 * CALL_TIMEOUT_SECONDS * 1000;

    /** Reads and primary round trips over one interval. */
    record Summary(long reads, long errors, double p50Millis, double p99Millis, long primaryProbes) {
        double probesPerRead() {
            return reads == 0 ? Double.NaN : primaryProbes / (double) reads;
        }
    }

    private final RemotePrimaryClient primary;
    private final MirrorMetadataClient client;
    private final List<LatencyRecorder> recorders = new ArrayList<>();
    private long probesBefore; // guarded by this: probes of the warm-up, not counted
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError = "";
    private volatile boolean stopped;

    LinearizableReaders(MetaGroup mirror, MetaGroup primaryGroup, String primaryRegion, Duration oneWay, int readers) {
        MirrorMountConfig config = MirrorMountConfig.defaults().withConsistency(ConsistencyMode.LINEARIZABLE);
        RaftMetadataClient mirrorClient = RaftMetadataClient.connect(mirror);
        RaftMetadataClient primaryClient;
        try {
            primaryClient = RaftMetadataClient.connect(primaryGroup);
        } catch (RuntimeException e) {
            mirrorClient.close();
            throw e;
        }
        primary = new RemotePrimaryClient(primaryClient, oneWay);
        PrimaryRouter router = new PrimaryRouter(List.of(new PrimaryRouter.Candidate(primaryRegion, primary)),
                config.probeTimeoutMillis(), config.failoverWaitMillisMax(), System::nanoTime);
        client = MirrorMetadataClient.create(mirrorClient, router, config, mirrorClient, primaryClient);
        for (int i = 0; i < readers; i++) {
            recorders.add(new LatencyRecorder());
            final int slot = i;
            threads.add(Thread.ofPlatform().daemon().name("bench-mirror-reader-" + i).start(() -> run(slot)));
        }
    }

    /** Starts the measurement afresh (after a warm-up). */
    synchronized void reset() {
        recorders.replaceAll(r -> new LatencyRecorder());
        errors.set(0);
        probesBefore = primary.stateProbes();
    }

    private void run(int slot) {
        while (!stopped) {
            long t0 = System.nanoTime();
            try {
                MetaReply reply = client.query(MetaOps.getattr(MetaOps.ROOT, FsLimits.ROOT_INODE))
                        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                long latency = System.nanoTime() - t0;
                synchronized (this) { // one lock for all readers: a read takes ~a round trip, so it is not contended
                    LatencyRecorder rec = recorders.get(slot);
                    if (reply.getErrno() == 0) {
                        rec.record(latency);
                    } else {
                        rec.error();
                        lastError = "getattr errno " + reply.getErrno();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                errors.incrementAndGet();
                lastError = e.toString();
            }
        }
    }

    /** Reads so far, and the probes that reached the primary so far. */
    Summary summary() {
        long reads = 0;
        long failed = errors.get();
        long[] sorted;
        long probes;
        synchronized (this) {
            probes = primary.stateProbes() - probesBefore;
            for (LatencyRecorder r : recorders) {
                reads += r.count();
                failed += r.errors();
            }
            sorted = LatencyRecorder.sortedSamples(recorders);
        }
        return new Summary(reads, failed, LatencyRecorder.percentileMillis(sorted, 50),
                LatencyRecorder.percentileMillis(sorted, 99), probes);
    }

    String lastError() {
        return lastError;
    }

    /** Stops the readers and closes the mirror client (and the Raft clients it owns). */
    @Override
    public void close() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            for (Thread t : threads) {
                t.join(JOIN_MILLIS);
            }
        } finally {
            client.close();
        }
    }
}
