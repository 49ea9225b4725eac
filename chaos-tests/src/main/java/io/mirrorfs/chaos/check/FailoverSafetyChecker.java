package io.mirrorfs.chaos.check;

import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The no-split-brain properties of a switchover (DESIGN §5), from what the run observed.
 *
 * <p>{@link #roles}: each region's epoch never goes down, and no sampling round finds two writable
 * primaries (role PRIMARY, not fenced). Sound only if each round asks the switchover's <em>target</em>
 * before the old primary: the target is promoted only after the old primary's fence committed, and a
 * fence is never lifted (only FollowPrimaryOp ends it, making the group a mirror), so "target writable
 * at t1, old primary writable at t2 &gt; t1" is a real overlap, while the reverse order could pair an
 * old state with a new one.
 *
 * <p>{@link #noWriteAfterFence}: a write sent to the old primary after its fence was acknowledged
 * must never be acknowledged by it — it would be applied after the point the new primary took over
 * from, and be lost or diverge.
 */
public final class FailoverSafetyChecker {
    private static final int ANOMALIES_MAX = 20;

    private FailoverSafetyChecker() {}

    public static Verdict roles(List<RoleSample> samples, String target, String oldPrimary) {
        List<String> anomalies = new ArrayList<>();
        Map<String, RoleSample> last = new HashMap<>();
        Map<Integer, RoleSample> targetInRound = new HashMap<>();
        int rounds = 0;
        int bothAnswered = 0;
        for (RoleSample s : samples) {
            rounds = Math.max(rounds, s.round() + 1);
            RoleSample before = last.put(s.region(), s);
            if (before != null && s.epoch() < before.epoch() && anomalies.size() < ANOMALIES_MAX) {
                anomalies.add("epoch of " + s.region() + " went back: " + before.epoch() + " -> " + s.epoch()
                        + " (round " + before.round() + " -> " + s.round() + ")");
            }
            if (s.region().equals(target)) {
                targetInRound.put(s.round(), s);
            } else if (s.region().equals(oldPrimary)) {
                RoleSample t = targetInRound.get(s.round());
                if (t != null) {
                    bothAnswered++;
                    if (t.writable() && s.writable() && anomalies.size() < ANOMALIES_MAX) {
                        anomalies.add("round " + s.round() + ": two writable primaries, " + target + " (epoch "
                                + t.epoch() + ") and then " + oldPrimary + " (epoch " + s.epoch() + ")");
                    }
                }
            }
        }
        String summary = samples.size() + " samples in " + rounds + " rounds (" + bothAnswered
                + " with both regions answering); epochs never went back and never two writable primaries";
        if (bothAnswered == 0) {
            return new Verdict("failover-roles", Validity.UNKNOWN, "no round where both regions answered", anomalies);
        }
        return new Verdict("failover-roles", anomalies.isEmpty() ? Validity.VALID : Validity.INVALID,
                anomalies.isEmpty() ? summary : "split brain or epoch regression", anomalies);
    }

    /**
     * @param sentToOldPrimary which operations went to the old primary
     * @param fenceNanos when the fence was acknowledged (System.nanoTime)
     */
    public static Verdict noWriteAfterFence(List<Operation> history, Predicate<Operation> sentToOldPrimary,
                                            long fenceNanos) {
        List<String> anomalies = new ArrayList<>();
        int after = 0;
        int refusedAfter = 0;
        for (Operation op : history) {
            if (!sentToOldPrimary.test(op) || op.invokeNanos() <= fenceNanos) {
                continue;
            }
            after++;
            if (op.outcome() == Outcome.FAIL) {
                refusedAfter++;
            } else if (op.outcome() == Outcome.OK && anomalies.size() < ANOMALIES_MAX) {
                anomalies.add(op.describe() + ": acknowledged by the old primary, invoked "
                        + (op.invokeNanos() - fenceNanos) / 1_000_000 + " ms after its fence");
            }
        }
        if (!anomalies.isEmpty()) {
            return new Verdict("no-write-after-fence", Validity.INVALID,
                    "the old primary acknowledged writes sent after its fence", anomalies);
        }
        if (refusedAfter == 0) {
            // Nothing reached the old primary after the fence: the property was not exercised.
            return new Verdict("no-write-after-fence", Validity.UNKNOWN, after
                    + " writes sent to the old primary after its fence, none answered with a refusal", anomalies);
        }
        return new Verdict("no-write-after-fence", Validity.VALID, after + " writes sent to the old primary after its fence, "
                + refusedAfter + " refused, none acknowledged", anomalies);
    }
}
