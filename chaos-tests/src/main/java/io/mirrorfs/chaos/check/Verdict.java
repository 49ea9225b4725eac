package io.mirrorfs.chaos.check;

import java.util.List;

/**
 * What one checker concluded.
 *
 * @param checker which checker
 * @param validity the answer
 * @param summary one line for the report
 * @param anomalies each problem found, human-readable, bounded by the checker
 */
public record Verdict(String checker, Validity validity, String summary, List<String> anomalies) {

    public Verdict {
        anomalies = List.copyOf(anomalies);
    }

    public boolean valid() {
        return validity == Validity.VALID;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(checker).append(": ").append(validity).append(" — ").append(summary);
        for (String a : anomalies) {
            b.append("\n  ").append(a);
        }
        return b.toString();
    }
}
