package io.mirrorfs.chaos.check;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.ToLongFunction;

/**
 * What a client reading a mirror region may rely on (DESIGN §4), checked over a history of
 * {@link MirrorRead}s:
 * <ol>
 *   <li>monotonic: a read that starts after another ended sees a primary index, a data watermark and
 *       a counter value no smaller — across the mirror's leader changes and restarts;</li>
 *   <li>the data watermark never exceeds the primary index in the same MirrorState (the sync cannot
 *       vouch for entries the mirror has not applied);</li>
 *   <li>index-gated: a read whose MirrorState said primary index P sees at least the value of the
 *       newest acknowledged write at or below P (the state is read before the value);</li>
 *   <li>no reads from the future: never a value whose write had not been sent when the read ended.</li>
 * </ol>
 * The counter's writer is sequential (value n applied before n + 1 is sent), so values grow with
 * their commit index.
 */
public final class MirrorReadChecker {
    public static final String NAME = "mirror-reads";
    private static final int ANOMALIES_MAX = 20;

    private MirrorReadChecker() {}

    /**
     * @param writes acknowledged counter writes: primary changelog index → value
     * @param history the run's history; its WRITE ops of {@code writeKey} bound what may be read
     */
    public static Verdict check(List<MirrorRead> reads, NavigableMap<Long, Long> writes, List<Operation> history,
                                String writeKey) {
        List<String> anomalies = new ArrayList<>();
        monotonic(reads, "primary index", MirrorRead::primaryIndex, anomalies);
        monotonic(reads, "data watermark", MirrorRead::dataWatermark, anomalies);
        monotonic(reads, "counter", MirrorRead::counter, anomalies);
        List<Operation> sent = history.stream().filter(o -> o.type() == OpType.WRITE && o.key().equals(writeKey))
                .sorted(Comparator.comparingLong(Operation::invokeNanos)).toList();
        for (MirrorRead r : reads) {
            if (r.dataWatermark() > r.primaryIndex()) {
                add(anomalies, "watermark " + r.dataWatermark() + " above primary index " + r.primaryIndex() + " in " + r);
            }
            Map.Entry<Long, Long> gate = writes.floorEntry(r.primaryIndex());
            if (gate != null && r.counter() < gate.getValue()) {
                add(anomalies, "stale under its own index: primary index " + r.primaryIndex() + " covers the write of "
                        + gate.getValue() + " (index " + gate.getKey() + ") but the read saw " + r.counter() + ": " + r);
            }
            long newestSent = 0;
            for (Operation w : sent) {
                if (w.invokeNanos() > r.completeNanos()) {
                    break;
                }
                newestSent = Math.max(newestSent, Long.parseLong(w.value()));
            }
            if (r.counter() > newestSent) {
                add(anomalies, "read " + r.counter() + " before it was written (newest sent " + newestSent + "): " + r);
            }
        }
        String summary = reads.size() + " mirror reads, " + writes.size() + " acknowledged counter writes";
        return new Verdict(NAME, anomalies.isEmpty() ? Validity.VALID : Validity.INVALID, summary, anomalies);
    }

    /**
     * For every read, the largest value among reads that ended before it began must not exceed its
     * own: a sweep over reads by start time against reads by end time.
     */
    private static void monotonic(List<MirrorRead> reads, String what, ToLongFunction<MirrorRead> field,
                                  List<String> anomalies) {
        List<MirrorRead> byStart = reads.stream().sorted(Comparator.comparingLong(MirrorRead::invokeNanos)).toList();
        List<MirrorRead> byEnd = reads.stream().sorted(Comparator.comparingLong(MirrorRead::completeNanos)).toList();
        int ended = 0;
        MirrorRead highest = null;
        for (MirrorRead r : byStart) {
            while (ended < byEnd.size() && byEnd.get(ended).completeNanos() < r.invokeNanos()) {
                MirrorRead e = byEnd.get(ended++);
                if (highest == null || field.applyAsLong(e) > field.applyAsLong(highest)) {
                    highest = e;
                }
            }
            if (highest != null && field.applyAsLong(r) < field.applyAsLong(highest)) {
                add(anomalies, what + " went back from " + field.applyAsLong(highest) + " to " + field.applyAsLong(r)
                        + ": " + highest + " ended before " + r + " began");
            }
        }
    }

    private static void add(List<String> anomalies, String anomaly) {
        if (anomalies.size() < ANOMALIES_MAX) {
            anomalies.add(anomaly);
        }
    }
}
