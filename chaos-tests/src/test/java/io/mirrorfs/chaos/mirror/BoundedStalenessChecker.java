package io.mirrorfs.chaos.mirror;

import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounded staleness of a register history: a read invoked at t must observe the newest write that
 * had completed before t − bound, or a later one (the mirror has applied everything the primary had
 * at some time at or after t − bound, and a write acknowledged before that time was on the primary).
 * Newer/older as in {@link WriteOrder}. Times are the recorder's clock: the checker is only as exact
 * as the history's timestamps, which bracket the real calls.
 */
final class BoundedStalenessChecker {
    private static final int ANOMALIES_MAX = 20;

    private final long boundNanos;

    BoundedStalenessChecker(long boundNanos) {
        if (boundNanos < 0) {
            throw new IllegalArgumentException("negative bound");
        }
        this.boundNanos = boundNanos;
    }

    Verdict check(List<Operation> history) {
        WriteOrder order = new WriteOrder(history);
        List<String> anomalies = new ArrayList<>(order.problems);
        int reads = 0;
        int violations = 0;
        long worstMillis = 0;
        for (Operation op : history) {
            if (op.type() != OpType.READ || op.outcome() != Outcome.OK) {
                continue;
            }
            reads++;
            String impossible = order.impossibleRead(op);
            if (impossible != null) {
                violations++;
                add(anomalies, impossible);
                continue;
            }
            int pos = order.position(op.key(), op.value());
            int required = order.lastCompletedBefore(op.key(), op.invokeNanos() - boundNanos);
            if (pos < required) {
                violations++;
                Operation missed = order.write(op.key(), pos + 1); // the first write it should have seen
                long staleMillis = (op.invokeNanos() - missed.completeNanos()) / 1_000_000;
                worstMillis = Math.max(worstMillis, staleMillis);
                add(anomalies, op.describe() + " is " + staleMillis + " ms stale: missed " + missed.describe()
                        + " and later writes up to " + order.write(op.key(), required).describe());
            }
        }
        Validity validity = violations > 0 ? Validity.INVALID : order.problems.isEmpty() ? Validity.VALID : Validity.UNKNOWN;
        return new Verdict("bounded-staleness(" + boundNanos / 1_000_000 + " ms)", validity,
                reads + " reads; " + violations + " staler than the bound" + (violations > 0 ? ", worst " + worstMillis + " ms" : ""),
                anomalies);
    }

    private static void add(List<String> anomalies, String line) {
        if (anomalies.size() < ANOMALIES_MAX) {
            anomalies.add(line);
        }
    }
}
