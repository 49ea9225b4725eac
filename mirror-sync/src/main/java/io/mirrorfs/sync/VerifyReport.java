package io.mirrorfs.sync;

import java.util.List;

/**
 * What a verify (and repair) pass found. Key lists are capped at {@link SyncVerifier#KEYS_LISTED_MAX};
 * the counts are exact.
 *
 * @param missingInTarget   referenced blocks absent from the mirror's store (present at the source)
 * @param corruptInTarget   referenced blocks in the mirror's store with the wrong size or CRC ("key: why")
 * @param missingEverywhere referenced blocks in neither store: data loss to investigate
 * @param targetOnly        objects in the mirror's store that the source lacks (e.g. already GC'd there)
 */
public record VerifyReport(long referenced, long presentInTarget, long missingInTargetCount,
                           List<String> missingInTarget, long corruptInTargetCount, List<String> corruptInTarget,
                           long missingEverywhereCount, List<String> missingEverywhere,
                           long repaired, List<String> repairErrors, long targetOnly) {
    public VerifyReport {
        missingInTarget = List.copyOf(missingInTarget);
        corruptInTarget = List.copyOf(corruptInTarget);
        missingEverywhere = List.copyOf(missingEverywhere);
        repairErrors = List.copyOf(repairErrors);
    }

    /** True when every referenced block is (now) in the mirror's store and intact. */
    public boolean clean() {
        return missingInTargetCount + corruptInTargetCount == repaired && missingEverywhereCount == 0
                && repairErrors.isEmpty();
    }
}
