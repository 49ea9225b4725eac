package io.mirrorfs.chaos.mirror;

import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Session guarantees of a register history (Terry et al., "Session guarantees for weakly consistent
 * replicated data"), per client process:
 * <ul>
 *   <li>read-your-writes: a read sees the process's own last acknowledged write to the key, or a later one;
 *   <li>monotonic reads: a process's successive reads of a key never see an older write than before.
 * </ul>
 * Newer/older is the write order of {@link WriteOrder} (one writer per key). INFO and FAIL reads
 * observed nothing and are skipped. Bounded: at most {@code ANOMALIES_MAX} anomalies are listed.
 */
final class SessionGuaranteesChecker {
    private static final int ANOMALIES_MAX = 20;

    Verdict check(List<Operation> history) {
        WriteOrder order = new WriteOrder(history);
        List<String> anomalies = new ArrayList<>(order.problems);
        Validity validity = order.problems.isEmpty() ? Validity.VALID : Validity.UNKNOWN;
        List<Operation> byInvoke = new ArrayList<>(history);
        byInvoke.sort(Comparator.comparingLong(Operation::invokeNanos));
        // process → key → the newest position it has read / written so far
        Map<Integer, Map<String, Integer>> lastRead = new HashMap<>();
        Map<Integer, Map<String, Integer>> lastWritten = new HashMap<>();
        int reads = 0;
        int violations = 0;
        for (Operation op : byInvoke) {
            if (op.type() == OpType.WRITE && op.outcome() == Outcome.OK) {
                Integer pos = order.position(op.key(), op.value());
                if (pos != null) {
                    lastWritten.computeIfAbsent(op.process(), p -> new HashMap<>()).merge(op.key(), pos, Math::max);
                }
                continue;
            }
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
            int own = lastWritten.getOrDefault(op.process(), Map.of()).getOrDefault(op.key(), -1);
            if (pos < own) {
                violations++;
                add(anomalies, "read-your-writes: " + op.describe() + " after its own " + order.write(op.key(), own).describe());
            }
            int before = lastRead.getOrDefault(op.process(), Map.of()).getOrDefault(op.key(), -1);
            if (pos < before) {
                violations++;
                add(anomalies, "monotonic reads: " + op.describe() + " after the process had read "
                        + order.write(op.key(), before).value());
            }
            lastRead.computeIfAbsent(op.process(), p -> new HashMap<>()).merge(op.key(), pos, Math::max);
        }
        if (violations > 0) {
            validity = Validity.INVALID;
        }
        return new Verdict("session-guarantees", validity, reads + " reads; " + violations + " violations", anomalies);
    }

    private static void add(List<String> anomalies, String line) {
        if (anomalies.size() < ANOMALIES_MAX) {
            anomalies.add(line);
        }
    }
}
