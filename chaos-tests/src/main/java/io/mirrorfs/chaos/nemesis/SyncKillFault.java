package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.TwoRegionCluster;
import java.util.Random;

/**
 * kill -9 of the mirror's sync service (copies in flight abandoned, nothing published on the way
 * out); heal starts it again, and it must resume from the committed watermark without skipping.
 */
final class SyncKillFault implements Fault {
    private final TwoRegionCluster regions;
    private boolean killed;

    SyncKillFault(TwoRegionCluster regions) {
        this.regions = regions;
    }

    @Override
    public String name() {
        return "kill-sync";
    }

    @Override
    public String inject(Random random) throws Exception {
        killed = true;
        regions.killSync();
        return "sync service";
    }

    @Override
    public void heal() throws Exception {
        if (killed) {
            killed = false;
            regions.restartSync();
        }
    }
}
