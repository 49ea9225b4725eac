package io.mirrorfs.cli.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MirrorState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the failover tools is refused with a message that names the problem, and changes
 * nothing: promoting a region that does not exist, the current primary, or a mirror while the
 * primary is healthy without --force; switching over to the primary itself; rejoining the primary.
 * Real Ratis groups answer (one node per region, in this JVM).
 */
class FailoverRefusalTest {
    @TempDir
    static Path dir;
    static InProcessRegions regions;
    static Deployment deployment;

    @BeforeAll
    static void start() throws Exception {
        regions = new InProcessRegions(dir);
        deployment = new Deployment(regions.topology, Duration.ofSeconds(20));
        // A formatted primary: its role and epoch are recorded in metadata.
        RegionHandle primary = deployment.region("primary");
        assertEquals(0, primary.client().mutate(MetaOps.format(new RequestIds().next(), "refusals",
                primary.region().storeUri(), 0)).get(60, TimeUnit.SECONDS).getErrno());
        assertTrue(primary.stateIfReachable().isPresent(), "the primary answers");
        assertTrue(deployment.region("mirror").stateIfReachable().isPresent(), "the mirror answers");
    }

    @AfterAll
    static void stop() throws Exception {
        if (deployment != null) {
            deployment.close();
        }
        if (regions != null) {
            regions.close();
        }
    }

    @Test
    void promotingAnUnknownRegionIsRefusedAndNamesTheRegions() {
        FailoverException e = assertThrows(FailoverException.class,
                () -> new Promotion(deployment, 4 << 20).run("nowhere", true, timeline()));
        assertTrue(e.getMessage().contains("no region 'nowhere'") && e.getMessage().contains("primary, mirror"), e.getMessage());
    }

    @Test
    void promotingTheCurrentPrimaryIsRefusedAndChangesNothing() throws Exception {
        MirrorState before = deployment.region("primary").state();
        FailoverException e = assertThrows(FailoverException.class,
                () -> new Promotion(deployment, 4 << 20).run("primary", true, timeline()));
        assertTrue(e.getMessage().contains("already the primary"), e.getMessage());
        assertUnchanged(before, deployment.region("primary").state());
    }

    @Test
    void promotingAMirrorWhileThePrimaryIsHealthyNeedsForce() throws Exception {
        MirrorState primaryBefore = deployment.region("primary").state();
        MirrorState mirrorBefore = deployment.region("mirror").state();
        FailoverException e = assertThrows(FailoverException.class,
                () -> new Promotion(deployment, 4 << 20).run("mirror", false, timeline()));
        assertTrue(e.getMessage().contains("is healthy") && e.getMessage().contains("--force"), e.getMessage());
        assertUnchanged(primaryBefore, deployment.region("primary").state());
        assertUnchanged(mirrorBefore, deployment.region("mirror").state());
    }

    @Test
    void switchingOverToThePrimaryItselfIsRefused() throws Exception {
        MirrorState before = deployment.region("primary").state();
        FailoverException e = assertThrows(FailoverException.class,
                () -> new Switchover(deployment, Duration.ofSeconds(5)).run("primary", timeline()));
        assertTrue(e.getMessage().contains("primary"), e.getMessage());
        assertUnchanged(before, deployment.region("primary").state());
        assertThrows(FailoverException.class,
                () -> new Switchover(deployment, Duration.ofSeconds(5)).run("nowhere", timeline()));
    }

    @Test
    void rejoiningTheCurrentPrimaryIsRefused() throws Exception {
        MirrorState before = deployment.region("primary").state();
        FailoverException e = assertThrows(FailoverException.class,
                () -> new Rejoin(deployment, 4 << 20, dir.resolve("reports")).run("primary", timeline()));
        assertTrue(e.getMessage().contains("nothing changed"), e.getMessage());
        assertUnchanged(before, deployment.region("primary").state());
    }

    private static void assertUnchanged(MirrorState before, MirrorState after) {
        assertEquals(before.getRole(), after.getRole(), "role");
        assertEquals(before.getEpoch(), after.getEpoch(), "epoch");
        assertEquals(before.getFenced(), after.getFenced(), "fenced");
        assertEquals(before.getChangelogLastIndex(), after.getChangelogLastIndex(), "no entry was added");
    }

    private static Timeline timeline() {
        return Timeline.systemClock(null);
    }
}
