package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.Docker;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.util.Collection;

/**
 * Cuts and heals node-to-node traffic with iptables DROP rules inside each node's network namespace
 * (entered from the host with nsenter). Only traffic between the listed nodes' IPs is dropped; the
 * host (clients, admin calls) still reaches every node. A restarted container has a fresh namespace,
 * so a kill also heals its partition — the nemesis runs one fault at a time, so that never overlaps.
 */
public final class Partitions {
    private static final String LOCK_WAIT_SECONDS = "5";

    private Partitions() {}

    /** Drops all traffic between every node of {@code a} and every node of {@code b}, both directions. */
    public static void cut(Collection<NodeContainer> a, Collection<NodeContainer> b) throws Exception {
        dropFrom(a, b);
        dropFrom(b, a);
    }

    /**
     * Drops packets from every node of {@code from} to every node of {@code to}, one direction only
     * (dropped where they leave and where they arrive): replies still flow the other way, but a TCP
     * connection opened from either side stalls — an asymmetric link, as a broken route makes.
     */
    public static void cutOneWay(Collection<NodeContainer> from, Collection<NodeContainer> to) throws Exception {
        for (NodeContainer n : from) {
            long pid = n.pid();
            for (NodeContainer o : to) {
                Docker.inNetns(pid, "iptables", "-w", LOCK_WAIT_SECONDS, "-A", "OUTPUT", "-d", o.ip(), "-j", "DROP");
            }
        }
        for (NodeContainer o : to) {
            long pid = o.pid();
            for (NodeContainer n : from) {
                Docker.inNetns(pid, "iptables", "-w", LOCK_WAIT_SECONDS, "-A", "INPUT", "-s", n.ip(), "-j", "DROP");
            }
        }
    }

    private static void dropFrom(Collection<NodeContainer> side, Collection<NodeContainer> other) throws Exception {
        for (NodeContainer n : side) {
            long pid = n.pid();
            for (NodeContainer o : other) {
                Docker.inNetns(pid, "iptables", "-w", LOCK_WAIT_SECONDS, "-A", "INPUT", "-s", o.ip(), "-j", "DROP");
                Docker.inNetns(pid, "iptables", "-w", LOCK_WAIT_SECONDS, "-A", "OUTPUT", "-d", o.ip(), "-j", "DROP");
            }
        }
    }

    /** Removes every rule this class added on {@code nodes}; tries all and reports the first failure. */
    public static void heal(Collection<NodeContainer> nodes) throws Exception {
        Exception first = null;
        for (NodeContainer n : nodes) {
            try {
                long pid = n.pid();
                Docker.inNetns(pid, "iptables", "-w", LOCK_WAIT_SECONDS, "-F", "INPUT");
                Docker.inNetns(pid, "iptables", "-w", LOCK_WAIT_SECONDS, "-F", "OUTPUT");
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
