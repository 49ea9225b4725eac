package io.mirrorfs.cli.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.cli.failover.drill.Drill;
import io.mirrorfs.cli.failover.drill.DrillReport;
import io.mirrorfs.cli.failover.drill.DrillSetup;
import io.mirrorfs.cli.failover.drill.LocalDeployment;
import io.mirrorfs.cli.failover.drill.LocalFaults;
import io.mirrorfs.cli.failover.drill.Scenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion after kill -9 of the whole primary region, with real processes (one metadata node per
 * region plus the mirror's sync service). Proves: every file acknowledged and replicated before the
 * kill is intact on the new primary; the files lost are only ones written after replication was
 * confirmed; the old primary's recovery report names exactly the lost files (the reported RPO
 * matches the loss); the old primary rejoins as a mirror and both hold one namespace.
 * Fault model: SIGKILL of every primary process; the mirror's metadata node is killed while the last
 * files are written so that some loss is certain. Replay: the dataset seed is fixed (42); process
 * logs are under the test's temp folder (logs/).
 */
class DrillKillPrimaryTest {
    @TempDir
    Path dir;

    @Test
    void killPrimaryLosesOnlyUnreplicatedFilesAndTheReportNamesThem() throws Exception {
        try (LocalDeployment local = LocalDeployment.create(dir.resolve("deployment"), 1)) {
            local.startAll();
            DrillSetup.formatPrimary(local.topology(), Duration.ofSeconds(180));
            Drill.Options options = new Drill.Options(Scenario.KILL_PRIMARY, null, 8, 3, 64 << 10, 42, true, true,
                    dir.resolve("reports"), Duration.ofSeconds(180));
            Drill drill = new Drill(local.topology(), new LocalFaults(local), options, System.out);
            DrillReport report = drill.run();
            Path json = dir.resolve("reports").resolve("drill.json");
            report.write(json);
            System.out.println(report.toText());

            assertEquals(java.util.List.of(), report.violations(), "violations");
            assertEquals(8, report.filesReplicatedBeforeFault());
            // The mirror was held while the in-flight files were written: exactly they are lost.
            assertEquals(java.util.Set.of("/golden/inflight-0", "/golden/inflight-1", "/golden/inflight-2"),
                    report.lostFiles().keySet(), "lost files");
            assertEquals(report.filesAcknowledged(), report.filesVerified() + report.lostFiles().size());
            assertTrue(report.rpoExact(), "the old primary rejoined, so the RPO is exact");
            assertTrue(report.rpoEntries() >= 2L * report.lostFiles().size(),
                    "each lost file is at least a create and a commit: " + report.rpoEntries());
            assertTrue(report.rtoMillis() < 60_000, "RTO " + report.rtoMillis() + " ms");
            String text = Files.readString(json, StandardCharsets.UTF_8);
            assertTrue(text.contains("\"rtoMillis\"") && text.contains("\"rpoEntries\"") && text.contains("\"lostFiles\""), text);
            assertTrue(Files.exists(dir.resolve("reports").resolve("drill.txt")));
            assertTrue(report.recoveryReport() != null && Files.exists(Path.of(report.recoveryReport())));
        }
    }
}
