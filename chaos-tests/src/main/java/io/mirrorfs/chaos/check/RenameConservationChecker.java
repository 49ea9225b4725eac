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
 * No item is lost or duplicated by renames. Items have an identity (e.g. an inode number) that
 * renames do not change. History: ADD ops (key = the set, value = the item's identity) create items;
 * RENAME ops (key = the item's identity, value = the new name) move them. The final listing maps
 * names to identities. Checks:
 * <ul>
 *   <li>every item whose create was acknowledged appears exactly once (not lost, not duplicated),</li>
 *   <li>an item with an indeterminate create appears at most once,</li>
 *   <li>no unknown identity appears,</li>
 *   <li>each item sits under a name it was created with or was (possibly) renamed to.</li>
 * </ul>
 */
public final class RenameConservationChecker {

    private RenameConservationChecker() {}

    /**
     * @param setKey the ADD ops' key
     * @param initialNames identity → the name it was created under
     * @param finalListing the final listing as (name, identity) pairs
     */
    public static Verdict check(String setKey, List<Operation> history, Map<String, String> initialNames,
                                List<Map.Entry<String, String>> finalListing) {
        Map<String, Outcome> created = new HashMap<>();
        Map<String, Set<String>> possibleNames = new HashMap<>();
        for (Operation op : history) {
            if (op.type() == OpType.ADD && op.key().equals(setKey)) {
                created.merge(op.value(), op.outcome(), (a, b) -> a == Outcome.OK || b == Outcome.OK ? Outcome.OK
                        : a == Outcome.INFO || b == Outcome.INFO ? Outcome.INFO : Outcome.FAIL);
                String initial = initialNames.get(op.value());
                if (initial != null) {
                    possibleNames.computeIfAbsent(op.value(), k -> new HashSet<>()).add(initial);
                }
            } else if (op.type() == OpType.RENAME && op.outcome() != Outcome.FAIL) {
                possibleNames.computeIfAbsent(op.key(), k -> new HashSet<>()).add(op.value());
            }
        }
        Map<String, Integer> seenCount = new HashMap<>();
        Set<String> misplaced = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        Set<String> names = new HashSet<>();
        Set<String> duplicateNames = new TreeSet<>();
        for (Map.Entry<String, String> e : finalListing) {
            String name = e.getKey();
            String item = e.getValue();
            if (!names.add(name)) {
                duplicateNames.add(name);
            }
            seenCount.merge(item, 1, Integer::sum);
            Outcome c = created.get(item);
            if (c == null || c == Outcome.FAIL) {
                unknown.add(item + " as " + name);
            } else if (!possibleNames.getOrDefault(item, Set.of()).contains(name)) {
                misplaced.add(item + " as " + name);
            }
        }
        Set<String> lost = new TreeSet<>();
        Set<String> duplicated = new TreeSet<>();
        for (Map.Entry<String, Outcome> c : created.entrySet()) {
            int n = seenCount.getOrDefault(c.getKey(), 0);
            if (c.getValue() == Outcome.OK && n == 0) {
                lost.add(c.getKey());
            }
            if (n > 1) {
                duplicated.add(c.getKey() + " x" + n);
            }
        }
        List<String> anomalies = new ArrayList<>();
        AppendOnlySetChecker.describe(anomalies, "acknowledged items lost", lost);
        AppendOnlySetChecker.describe(anomalies, "items present under more than one name", duplicated);
        AppendOnlySetChecker.describe(anomalies, "unknown or failed-create items present", unknown);
        AppendOnlySetChecker.describe(anomalies, "items under a name they were never renamed to", misplaced);
        AppendOnlySetChecker.describe(anomalies, "names listed twice", duplicateNames);
        String summary = "set " + setKey + ": " + created.size() + " items, " + finalListing.size()
                + " listed; " + lost.size() + " lost, " + duplicated.size() + " duplicated";
        return new Verdict("rename-conservation", anomalies.isEmpty() ? Validity.VALID : Validity.INVALID,
                summary, anomalies);
    }
}
