package io.mirrorfs.chaos.check;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An append-only set (e.g. files created with unique names, never removed): given the ADD ops of one
 * set and a final read taken after the system healed, checks that
 * <ul>
 *   <li>every acknowledged add is present (no lost write),</li>
 *   <li>nothing is present that was never added, or whose add definitely failed,</li>
 *   <li>no element is listed twice.</li>
 * </ul>
 * INFO adds may be present or absent ("recovered" / "lost in flight" are both fine).
 */
public final class AppendOnlySetChecker {
    private static final int EXAMPLES_MAX = 20;

    private AppendOnlySetChecker() {}

    /**
     * @param setKey which set (the ADD ops' key)
     * @param finalRead the elements listed at the end, in listing order (duplicates kept)
     */
    public static Verdict check(String setKey, List<Operation> history, List<String> finalRead) {
        Map<String, Outcome> attempted = new HashMap<>();
        for (Operation op : history) {
            if (op.type() == OpType.ADD && op.key().equals(setKey)) {
                // If an element was added more than once, the strongest outcome counts.
                attempted.merge(op.value(), op.outcome(), AppendOnlySetChecker::stronger);
            }
        }
        Set<String> present = new HashSet<>();
        Set<String> duplicated = new TreeSet<>();
        for (String e : finalRead) {
            if (!present.add(e)) {
                duplicated.add(e);
            }
        }
        Set<String> lost = new TreeSet<>();
        Set<String> unexpected = new TreeSet<>();
        Set<String> failedButPresent = new TreeSet<>();
        int ok = 0;
        int info = 0;
        int recovered = 0;
        for (Map.Entry<String, Outcome> a : attempted.entrySet()) {
            switch (a.getValue()) {
                case OK -> {
                    ok++;
                    if (!present.contains(a.getKey())) {
                        lost.add(a.getKey());
                    }
                }
                case INFO -> {
                    info++;
                    if (present.contains(a.getKey())) {
                        recovered++;
                    }
                }
                case FAIL -> {
                    if (present.contains(a.getKey())) {
                        failedButPresent.add(a.getKey());
                    }
                }
            }
        }
        for (String e : present) {
            if (!attempted.containsKey(e)) {
                unexpected.add(e);
            }
        }
        List<String> anomalies = new ArrayList<>();
        describe(anomalies, "acknowledged add lost", lost);
        describe(anomalies, "present but never added", unexpected);
        describe(anomalies, "present although its add failed", failedButPresent);
        describe(anomalies, "listed more than once", duplicated);
        Validity v = anomalies.isEmpty() ? Validity.VALID : Validity.INVALID;
        String summary = "set " + setKey + ": " + attempted.size() + " attempted, " + ok + " acknowledged, " + info
                + " indeterminate (" + recovered + " present), " + present.size() + " present at the end; "
                + lost.size() + " lost, " + unexpected.size() + " unexpected, " + duplicated.size() + " duplicated";
        return new Verdict("append-only-set", v, summary, anomalies);
    }

    private static Outcome stronger(Outcome a, Outcome b) {
        if (a == Outcome.OK || b == Outcome.OK) {
            return Outcome.OK;
        }
        return a == Outcome.INFO || b == Outcome.INFO ? Outcome.INFO : Outcome.FAIL;
    }

    static void describe(List<String> out, String what, Set<String> elements) {
        if (!elements.isEmpty()) {
            out.add(elements.size() + " " + what + ": " + elements.stream().limit(EXAMPLES_MAX).toList()
                    + (elements.size() > EXAMPLES_MAX ? " ..." : ""));
        }
    }
}
