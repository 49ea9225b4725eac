package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.chaos.check.RoleSample;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Asks each region for its role, epoch and fence, round after round, in a fixed order (the order
 * {@link io.mirrorfs.chaos.check.FailoverSafetyChecker#roles} relies on: the switchover's target
 * first). A region that does not answer within the timeout is left out of that round.
 */
public final class RoleSampler {
    private static final long PACE_MILLIS = 100;
    /** Bounded: one sample per region every ~100 ms for a 30-minute soak stays well under this. */
    private static final int SAMPLES_MAX = 200_000;

    private final List<Map.Entry<String, MetadataClient>> regionsInOrder;
    private final long timeoutMillis;
    private final ConcurrentLinkedQueue<RoleSample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicInteger rounds = new AtomicInteger();

    public RoleSampler(List<Map.Entry<String, MetadataClient>> regionsInOrder, long timeoutMillis) {
        this.regionsInOrder = List.copyOf(regionsInOrder);
        this.timeoutMillis = timeoutMillis;
    }

    public List<RoleSample> samples() {
        return List.copyOf(samples);
    }

    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        while (!stop.getAsBoolean() && samples.size() < SAMPLES_MAX) {
            sampleRound();
            Thread.sleep(PACE_MILLIS); // pacing of the rounds, not a settle wait
        }
    }

    /** One round; also used once after the run (not concurrently with {@link #run}). */
    public void sampleRound() throws InterruptedException {
        int round = rounds.getAndIncrement();
        for (Map.Entry<String, MetadataClient> region : regionsInOrder) {
            try {
                MetaReply r = region.getValue().query(MetaQuery.newBuilder()
                                .setMirrorState(MirrorStateQuery.getDefaultInstance()).build())
                        .get(timeoutMillis, TimeUnit.MILLISECONDS);
                if (r.getErrno() == 0 && r.hasMirrorState()) {
                    MirrorState s = r.getMirrorState();
                    samples.add(new RoleSample(round, System.nanoTime(), region.getKey(), s.getRole(), s.getEpoch(),
                            s.getFenced()));
                }
            } catch (ExecutionException | TimeoutException unreachable) {
                // a node of this region is being killed or cut off: this round has no sample of it
            }
        }
    }
}
