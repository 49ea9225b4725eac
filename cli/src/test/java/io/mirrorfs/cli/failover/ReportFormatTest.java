package io.mirrorfs.cli.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reports' JSON is valid and escaped; a recovery report names paths and counts only client entries. */
class ReportFormatTest {
    @TempDir
    Path dir;

    @Test
    void jsonEscapesControlCharactersAndQuotes() {
        String json = new Json.Object().put("path", "/a \"b\"\n\\c\u0001").put("n", 3).put("ok", true).put("none", null)
                .put("list", Json.Array.ofStrings(List.of("x", "y"))).toString();
        assertTrue(json.contains("\"path\": \"/a \\\"b\\\"\\n\\\\c\\u0001\""), json);
        assertTrue(json.contains("\"n\": 3") && json.contains("\"ok\": true") && json.contains("\"none\": null"), json);
        assertTrue(json.contains("\"x\",") && json.trim().endsWith("}"), json);
    }

    @Test
    void recoveryReportListsPathsAndCountsOnlyClientEntries() throws Exception {
        List<EntrySummary> entries = List.of(
                new EntrySummary(11, "create", 5, "/golden/f", 0, 0, 0),
                new EntrySummary(12, "commit_slice", 5, "/golden/f", 100, 1, 1),
                new EntrySummary(13, "fence", 0, "", 0, 0, 0));
        RecoveryReport r = new RecoveryReport("primary", 1, "mirror", 2, 10, 13, true, "", entries, "file:///s", 0);
        assertEquals(2, r.clientEntries(), "the rejoin's own fence is not client data");
        assertEquals(java.util.Set.of("/golden/f"), r.paths());
        Path json = r.write(dir);
        assertEquals("recovery-primary-epoch1.json", json.getFileName().toString());
        String text = Files.readString(dir.resolve("recovery-primary-epoch1.txt"), StandardCharsets.UTF_8);
        assertTrue(text.contains("/golden/f") && text.contains("3 divergent entries"), text);
        assertTrue(Files.readString(json).contains("\"divergentClientEntries\": 2"));
    }
}
