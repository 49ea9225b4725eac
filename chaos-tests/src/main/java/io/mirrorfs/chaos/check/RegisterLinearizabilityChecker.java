package io.mirrorfs.chaos.check;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Linearizability of a history of read/write registers, one independent register per key
 * (linearizability is compositional, so keys are checked separately). The search is Wing &amp; Gong's
 * with Lowe's just-in-time linearization and memoisation of (linearized set, register value) — the
 * algorithm of Knossos's "wgl" checker and of Porcupine.
 *
 * <p>Semantics of outcomes: an OK op happened between its call and return. A FAIL op did not happen
 * and is dropped. An INFO (indeterminate) write may have happened at any time after its call, or
 * never: its return is placed at infinity, so the search may linearize it anywhere after the call,
 * including after every other op (which is the same as "never" for a register). An INFO read observed
 * nothing and is dropped. The register starts absent ({@code null}).
 *
 * <p>Bounded: past {@code stepsMax} search steps or {@code memoEntriesMax} remembered configurations a
 * key is reported UNKNOWN rather than searched forever.
 */
public final class RegisterLinearizabilityChecker {
    /** Anomaly lines per verdict; the first few explain a failure, the rest is noise. */
    private static final int ANOMALIES_MAX = 20;

    private final long stepsMax;
    private final int memoEntriesMax;

    public RegisterLinearizabilityChecker(long stepsMax, int memoEntriesMax) {
        if (stepsMax < 1 || memoEntriesMax < 1) {
            throw new IllegalArgumentException("budgets must be positive");
        }
        this.stepsMax = stepsMax;
        this.memoEntriesMax = memoEntriesMax;
    }

    public static RegisterLinearizabilityChecker withDefaultBudget() {
        return new RegisterLinearizabilityChecker(20_000_000L, 2_000_000);
    }

    /** Checks every key of the READ/WRITE ops in {@code history} (other op types are ignored). */
    public Verdict check(List<Operation> history) {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : history) {
            if (op.type() == OpType.READ || op.type() == OpType.WRITE) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        Validity validity = Validity.VALID;
        List<String> anomalies = new ArrayList<>();
        int invalidKeys = 0;
        int unknownKeys = 0;
        for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
            KeyResult r = checkKey(e.getKey(), e.getValue());
            validity = validity.and(r.validity);
            if (r.validity == Validity.INVALID) {
                invalidKeys++;
            } else if (r.validity == Validity.UNKNOWN) {
                unknownKeys++;
            }
            if (r.explanation != null && anomalies.size() < ANOMALIES_MAX) {
                anomalies.add(r.explanation);
            }
        }
        String summary = byKey.size() + " keys, " + history.stream().filter(o -> o.type() == OpType.READ
                || o.type() == OpType.WRITE).count() + " register ops; " + invalidKeys + " not linearizable, "
                + unknownKeys + " unknown (budget)";
        return new Verdict("register-linearizability", validity, summary, anomalies);
    }

    /** The answer for one key, with a one-line explanation unless VALID. */
    public record KeyResult(Validity validity, String explanation) {}

    public KeyResult checkKey(String key, List<Operation> ops) {
        List<Operation> relevant = relevantOps(ops);
        Search search = new Search(relevant);
        return search.run(key);
    }

    /**
     * Drops what cannot constrain the search: FAIL ops, INFO reads, and INFO writes of a value no OK
     * read returned (such a write can always be linearized last, so it never decides the answer —
     * pruning it keeps indeterminate writes from multiplying the search space).
     */
    static List<Operation> relevantOps(List<Operation> ops) {
        Set<String> readValues = new HashSet<>();
        for (Operation op : ops) {
            if (op.type() == OpType.READ && op.outcome() == Outcome.OK && op.value() != null) {
                readValues.add(op.value());
            }
        }
        List<Operation> out = new ArrayList<>();
        for (Operation op : ops) {
            boolean keep = switch (op.outcome()) {
                case OK -> true;
                case FAIL -> false;
                case INFO -> op.type() == OpType.WRITE && readValues.contains(op.value());
            };
            if (keep) {
                out.add(op);
            }
        }
        return out;
    }

    /** One node of the doubly linked event list: a call or the return of op {@code op}. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Entry call, String stateBefore) {}

    private record Config(BitSet linearized, String state) {}

    private final class Search {
        private final List<Operation> ops;
        private final Entry head = new Entry(-1, false, Long.MIN_VALUE);

        Search(List<Operation> ops) {
            this.ops = ops;
            List<Entry> events = new ArrayList<>(2 * ops.size());
            for (int i = 0; i < ops.size(); i++) {
                Operation op = ops.get(i);
                Entry call = new Entry(i, true, op.invokeNanos());
                Entry ret = new Entry(i, false, op.outcome() == Outcome.INFO ? Long.MAX_VALUE : op.completeNanos());
                call.match = ret;
                ret.match = call;
                events.add(call);
                events.add(ret);
            }
            // Ties: calls before returns, i.e. ops that touch in time count as concurrent (the permissive
            // choice: a checker must not invent an order the clocks cannot prove).
            events.sort((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Boolean.compare(!a.call, !b.call));
            Entry prev = head;
            for (Entry e : events) {
                prev.next = e;
                e.prev = prev;
                prev = e;
            }
        }

        KeyResult run(String key) {
            BitSet linearized = new BitSet(ops.size());
            Set<Config> seen = new HashSet<>();
            List<Frame> stack = new ArrayList<>();
            String state = null;
            Entry entry = head.next;
            long steps = 0;
            int deepest = -1;
            String stuckAt = null;
            while (head.next != null) {
                if (++steps > stepsMax || seen.size() > memoEntriesMax) {
                    return new KeyResult(Validity.UNKNOWN, "key " + key + ": search budget exhausted after " + steps
                            + " steps, " + seen.size() + " configurations (" + ops.size() + " ops)");
                }
                if (entry.call) {
                    Operation op = ops.get(entry.op);
                    String next = apply(state, op);
                    boolean legal = op.type() == OpType.WRITE || Objects.equals(state, op.value());
                    if (legal) {
                        BitSet candidate = (BitSet) linearized.clone();
                        candidate.set(entry.op);
                        if (seen.add(new Config(candidate, next))) {
                            stack.add(new Frame(entry, state));
                            linearized = candidate;
                            state = next;
                            lift(entry);
                            entry = head.next;
                            continue;
                        }
                    }
                    entry = entry.next;
                } else {
                    // A return whose call is not linearized yet: the op must have taken effect by now but
                    // cannot be placed. Backtrack.
                    if (stack.size() > deepest) {
                        deepest = stack.size();
                        stuckAt = "after " + stack.size() + " ops linearized, register=" + state + ", "
                                + ops.get(entry.op).describe() + " cannot be linearized";
                    }
                    if (stack.isEmpty()) {
                        return new KeyResult(Validity.INVALID, "key " + key + " is not linearizable: " + stuckAt);
                    }
                    Frame top = stack.remove(stack.size() - 1);
                    state = top.stateBefore;
                    linearized = (BitSet) linearized.clone();
                    linearized.clear(top.call.op);
                    unlift(top.call);
                    entry = top.call.next;
                }
            }
            return new KeyResult(Validity.VALID, null);
        }

        private String apply(String state, Operation op) {
            return op.type() == OpType.WRITE ? op.value() : state;
        }

        private void lift(Entry call) {
            call.prev.next = call.next;
            call.next.prev = call.prev;
            Entry ret = call.match;
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }

        private void unlift(Entry call) {
            Entry ret = call.match;
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
            call.prev.next = call;
            call.next.prev = call;
        }
    }
}
