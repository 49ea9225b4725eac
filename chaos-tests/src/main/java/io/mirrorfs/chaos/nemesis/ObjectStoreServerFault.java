package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.Docker;
import io.mirrorfs.chaos.harness.NodeContainer;
import io.mirrorfs.chaos.harness.ObjectStoreServer;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import java.util.List;
import java.util.Random;

/**
 * Faults of the S3 server holding both regions' buckets, chosen from the seed:
 * <ul>
 *   <li>{@code pause}: docker pause; every request (the writers' block puts, the sync's copies and
 *       reads, the audit's reads) stalls until heal, then completes or times out;</li>
 *   <li>{@code cut from sync}: iptables in both namespaces drop server↔sync traffic; the writers on
 *       the host still store blocks, so the sync falls behind and must not move its watermark;</li>
 *   <li>{@code cut from all}: the server drops every incoming S3 connection (writers, sync, audit);</li>
 *   <li>{@code kill}: kill -9 of the server; heal starts it again on the same data folder.</li>
 * </ul>
 * What must still hold: no acknowledged block lost or corrupted, and the sync's watermark never
 * covering a block the mirror's bucket lacks — a failed or stalled copy must not count as copied.
 */
final class ObjectStoreServerFault implements Fault {
    private static final String LOCK_WAIT_SECONDS = "5";
    private final TwoRegionCluster regions;
    private String injected;

    ObjectStoreServerFault(TwoRegionCluster regions) {
        this.regions = regions;
    }

    @Override
    public String name() {
        return "object-store-server";
    }

    @Override
    public String inject(Random random) throws Exception {
        ObjectStoreServer server = regions.objectStoreServer();
        NodeContainer node = server.node();
        injected = switch (random.nextInt(4)) {
            case 0 -> {
                node.pause();
                yield "pause";
            }
            case 1 -> {
                Partitions.cut(List.of(node), List.of(regions.sync()));
                yield "cut from sync";
            }
            case 2 -> {
                Docker.inNetns(node.pid(), "iptables", "-w", LOCK_WAIT_SECONDS, "-A", "INPUT", "-p", "tcp",
                        "--dport", Integer.toString(ObjectStoreServer.PORT), "-j", "DROP");
                yield "cut from all";
            }
            default -> {
                server.kill9();
                yield "kill";
            }
        };
        return injected + " " + node;
    }

    @Override
    public void heal() throws Exception {
        String was = injected;
        injected = null;
        if (was == null) {
            return;
        }
        ObjectStoreServer server = regions.objectStoreServer();
        switch (was) {
            case "pause" -> server.node().unpause();
            case "cut from sync" -> Partitions.heal(List.of(server.node(), regions.sync()));
            case "cut from all" -> Partitions.heal(List.of(server.node()));
            case "kill" -> server.restart();
            default -> throw new AssertionError("unknown shape " + was);
        }
    }
}
