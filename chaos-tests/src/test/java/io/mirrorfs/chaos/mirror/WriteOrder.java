package io.mirrorfs.chaos.mirror;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order of the writes to each register key, for checkers of session and staleness guarantees.
 * Those need to know which of two values is newer; a register history alone does not say when
 * writes overlap, so these checkers require the writes of one key not to overlap in time (one
 * writer per key, as the mirror workloads do) and report anything else as a problem of the history.
 * FAIL writes never happened and are dropped.
 */
final class WriteOrder {
    /** key → writes in order; a value's position is its index here, absent (null) is −1. */
    private final Map<String, List<Operation>> writes = new LinkedHashMap<>();
    private final Map<String, Map<String, Integer>> positions = new HashMap<>();
    final List<String> problems = new ArrayList<>();

    WriteOrder(List<Operation> history) {
        for (Operation op : history) {
            if (op.type() == OpType.WRITE && op.outcome() != Outcome.FAIL) {
                writes.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        for (Map.Entry<String, List<Operation>> e : writes.entrySet()) {
            List<Operation> ws = e.getValue();
            ws.sort(Comparator.comparingLong(Operation::invokeNanos));
            Map<String, Integer> pos = new HashMap<>();
            for (int i = 0; i < ws.size(); i++) {
                Operation w = ws.get(i);
                if (i + 1 < ws.size() && (w.outcome() != Outcome.OK || w.completeNanos() > ws.get(i + 1).invokeNanos())) {
                    problems.add("key " + e.getKey() + ": writes " + w.describe() + " and " + ws.get(i + 1).describe()
                            + " may overlap; their order is unknown");
                }
                if (pos.putIfAbsent(w.value(), i) != null) {
                    problems.add("key " + e.getKey() + ": value " + w.value() + " written twice");
                }
            }
            positions.put(e.getKey(), pos);
        }
    }

    /** The position of the write a read observed: −1 for absent, null for a value never written. */
    Integer position(String key, String value) {
        if (value == null) {
            return -1;
        }
        return positions.getOrDefault(key, Map.of()).get(value);
    }

    /** The write at a position. */
    Operation write(String key, int position) {
        return writes.get(key).get(position);
    }

    /** The newest write to {@code key} that completed (OK) before {@code nanos}: its position, or −1. */
    int lastCompletedBefore(String key, long nanos) {
        int last = -1;
        List<Operation> ws = writes.getOrDefault(key, List.of());
        for (int i = 0; i < ws.size(); i++) {
            if (ws.get(i).outcome() == Outcome.OK && ws.get(i).completeNanos() < nanos) {
                last = i;
            }
        }
        return last;
    }

    /** Checks shared by the checkers: a read saw a value that was written, and not before its write began. */
    String impossibleRead(Operation read) {
        Integer pos = position(read.key(), read.value());
        if (pos == null) {
            return read.describe() + ": observed a value no write wrote";
        }
        if (pos >= 0 && write(read.key(), pos).invokeNanos() > read.completeNanos()) {
            return read.describe() + ": observed " + write(read.key(), pos).describe() + " which began after the read ended";
        }
        return null;
    }
}
