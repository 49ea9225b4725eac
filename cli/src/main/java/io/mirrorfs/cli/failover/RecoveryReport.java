package io.mirrorfs.cli.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an old primary held that the new primary does not: its changelog entries after the new
 * primary's promotion point, with paths, sizes and whether their blocks are still in its store.
 * Written (JSON and text) before the old primary's namespace is reset, so nothing is merged or
 * dropped silently: an operator can recover the data from the listed blocks.
 */
public record RecoveryReport(String region, long oldEpoch, String newPrimary, long newEpoch, long promotedAtIndex,
                             long oldLastIndex, boolean complete, String note, List<EntrySummary> divergent,
                             String storeUri, long createdMillis) {

    public RecoveryReport {
        divergent = List.copyOf(divergent);
    }

    /** Divergent entries a client sent (the rejoin's own fence, if it is in the changelog, is not one). */
    public long clientEntries() {
        return Rpo.clientEntries(divergent);
    }

    public Set<String> paths() {
        Set<String> out = new TreeSet<>();
        divergent.stream().filter(EntrySummary::touchesPath).forEach(e -> out.add(e.path()));
        return out;
    }

    public Json.Object toJson() {
        Json.Array entries = new Json.Array();
        divergent.forEach(e -> entries.add(e.toJson()));
        return new Json.Object().put("kind", "recovery-report").put("region", region).put("oldEpoch", oldEpoch)
                .put("newPrimary", newPrimary).put("newEpoch", newEpoch).put("promotedAtIndex", promotedAtIndex)
                .put("oldLastIndex", oldLastIndex).put("complete", complete).put("note", note)
                .put("store", storeUri).put("created", Instant.ofEpochMilli(createdMillis).toString())
                .put("divergentEntries", divergent.size()).put("divergentClientEntries", clientEntries()).put("paths", Json.Array.ofStrings(paths()))
                .put("entries", entries);
    }

    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("mirrorfs recovery report — region '").append(region).append("'\n");
        out.append(String.format("The region was primary of epoch %d. Region '%s' was promoted to epoch %d at primary index %d.%n",
                oldEpoch, newPrimary, newEpoch, promotedAtIndex));
        out.append(String.format("This region's changelog ran to index %d: %d divergent entries%s are NOT in the new primary.%n",
                oldLastIndex, divergent.size(), complete ? "" : " (list incomplete: " + note + ")"));
        out.append("They are listed here before this region becomes a mirror; their blocks stay in ").append(storeUri)
                .append(" until garbage collection.\n\n");
        if (!paths().isEmpty()) {
            out.append("Paths touched:\n");
            paths().forEach(p -> out.append("  ").append(p).append('\n'));
            out.append('\n');
        }
        out.append("Entries:\n");
        divergent.forEach(e -> out.append(e.toText()).append('\n'));
        return out.toString();
    }

    /** Writes DIR/recovery-REGION-epochE.json and .txt (atomically: temp file + rename); returns the JSON path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String base = "recovery-" + region + "-epoch" + oldEpoch;
        writeAtomically(dir.resolve(base + ".txt"), toText());
        Path json = dir.resolve(base + ".json");
        writeAtomically(json, toJson().toString() + "\n");
        return json;
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
