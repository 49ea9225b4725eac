package io.mirrorfs.cli.failover.drill;

import io.mirrorfs.cli.failover.Json;
import io.mirrorfs.cli.failover.Timeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The evidence a drill leaves (DESIGN §5): RTO, RPO, what was acknowledged, replicated, verified and
 * lost, every violation of a promise, and the timeline. {@code passed} means: no file acknowledged
 * and replicated before the fault was lost or damaged, a switchover lost nothing at all, and the RPO
 * the tools reported covers every lost file.
 *
 * @param rpoEntries the lost client entries: exact from the old primary's recovery report when it
 *     rejoined, else the promotion's estimate (see {@code rpoExact})
 * @param lostFiles acknowledged files missing or different on the new primary, with why
 * @param violations broken promises (empty when the drill passed)
 */
public record DrillReport(String scenario, String oldPrimary, String newPrimary, long rtoMillis, long rtoTargetMillis,
                          long rpoEntries, boolean rpoExact, long rpoEntriesReportedAtPromotion,
                          Map<String, String> lostFiles, int filesAcknowledged, int filesReplicatedBeforeFault,
                          int filesVerified, List<String> violations, String recoveryReport, Timeline timeline) {

    public DrillReport {
        lostFiles = Map.copyOf(lostFiles);
        violations = List.copyOf(violations);
    }

    public boolean passed() {
        return violations.isEmpty();
    }

    public Json.Object toJson() {
        Json.Object lost = new Json.Object();
        lostFiles.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> lost.put(e.getKey(), e.getValue()));
        return new Json.Object().put("scenario", scenario).put("passed", passed())
                .put("oldPrimary", oldPrimary).put("newPrimary", newPrimary)
                .put("rtoMillis", rtoMillis).put("rtoTargetMillis", rtoTargetMillis).put("rtoMet", rtoMillis <= rtoTargetMillis)
                .put("rpoEntries", rpoEntries).put("rpoExact", rpoExact)
                .put("rpoEntriesReportedAtPromotion", rpoEntriesReportedAtPromotion)
                .put("lostFiles", Json.Array.ofStrings(lostFiles.keySet().stream().sorted().toList()))
                .put("lostFileReasons", lost)
                .put("filesAcknowledged", filesAcknowledged).put("filesReplicatedBeforeFault", filesReplicatedBeforeFault)
                .put("filesVerified", filesVerified).put("violations", Json.Array.ofStrings(violations))
                .put("recoveryReport", recoveryReport).put("timeline", timeline.toJson());
    }

    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("mirrorfs drill: ").append(scenario).append(" — ").append(passed() ? "PASSED" : "FAILED").append('\n');
        out.append(String.format("  primary %s -> %s%n", oldPrimary, newPrimary));
        out.append(String.format("  RTO %d ms (target %d ms: %s)%n", rtoMillis, rtoTargetMillis,
                rtoMillis <= rtoTargetMillis ? "met" : "MISSED"));
        out.append(String.format("  RPO %s%d entries%s%n", rpoExact ? "" : "estimated ", rpoEntries,
                rpoExact ? " (exact, from the old primary's recovery report)" : " (estimate at promotion)"));
        out.append(String.format("  files: %d acknowledged, %d replicated before the fault, %d verified intact, %d lost%n",
                filesAcknowledged, filesReplicatedBeforeFault, filesVerified, lostFiles.size()));
        lostFiles.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append("    lost ").append(e.getKey()).append(": ").append(e.getValue()).append('\n'));
        if (recoveryReport != null) {
            out.append("  recovery report: ").append(recoveryReport).append('\n');
        }
        violations.forEach(v -> out.append("  VIOLATION: ").append(v).append('\n'));
        out.append("timeline:\n").append(timeline.render());
        return out.toString();
    }

    /** Writes FILE (JSON) and FILE with .txt instead of .json (the readable summary). */
    public void write(Path jsonFile) throws IOException {
        Path abs = jsonFile.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Files.writeString(abs, toJson().toString() + "\n", StandardCharsets.UTF_8);
        String name = abs.getFileName().toString();
        String txt = name.endsWith(".json") ? name.substring(0, name.length() - 5) + ".txt" : name + ".txt";
        Files.writeString(abs.resolveSibling(txt), toText(), StandardCharsets.UTF_8);
    }
}
