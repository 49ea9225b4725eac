package io.mirrorfs.sync;

import java.util.List;

/**
 * What a verify (and repair) pass found. Key lists are capped at {@link SyncVerifier#KEYS_LISTED_MAX};
 * the counts are exact.
 *
 * @param missingInTarget   referenced blocks absent from the mirror's store (present at the source)
 * @param missingEverywhere referenced blocks in neither store: data loss to investigate
 * @param targetOnly        objects in the mirror's store that the source lacks (e.g. already GC'd there)
 */
public record VerifyReport(long referenced, long presentInTarget, long missingInTargetCount,
                           List<String> missingInTarget, long missingEverywhereCount, List<String> missingEverywhere,
                           long repaired, List<String> repairErrors, long targetOnly) {
    public VerifyReport {
        missingInTarget = List.copyOf(missingInTarget);
        missingEverywhere = List.copyOf(missingEverywhere);
        repairErrors = List.copyOf(repairErrors);
    }

    public boolean clean() {
        return missingInTargetCount == repaired && missingEverywhereCount == 0 && repairErrors.isEmpty();
    }
}
