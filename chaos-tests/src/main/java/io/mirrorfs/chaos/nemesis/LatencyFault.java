package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.Docker;
import io.mirrorfs.chaos.harness.NodeContainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Adds latency to the Raft links inside a group. This machine's kernel has no {@code sch_netem} (tc
 * says "Specified qdisc kind is unknown"; only tbf/htb/pfifo exist), so the delay is added in user
 * space: in each target node's container a {@link DelayProxyMain} listens on {@link #PROXY_PORT}, and
 * an iptables {@code nat PREROUTING REDIRECT} rule (in the node's namespace, from the host with nsenter)
 * sends every TCP connection from another node of the group to that proxy instead of the Raft port.
 * The node's existing Raft connections are then destroyed ({@code ss -K}) so that the peers reconnect
 * through the proxy. Every link into a target is then {@code delay} late each way: a round trip on it
 * takes 2×delay more. Clients outside the group (the test JVM on the host) are not redirected.
 *
 * <p>Two shapes from the seed: all nodes delayed (every Raft round trip slower), or one node (the links
 * into it: a slow follower, or a leader whose followers' connections are slow). Injection waits until
 * at least one Raft connection really runs through a proxy and fails otherwise, so the fault never
 * silently does nothing. Healing removes the rules, then kills the proxies; the peers reconnect directly.
 */
public final class LatencyFault implements Fault {
    public static final int PROXY_PORT = 19860;
    private static final String PID_FILE = "/tmp/delay-proxy.pid";
    private static final String LOG_FILE = "/tmp/delay-proxy.log";
    private static final Duration PROXY_START_TIMEOUT = Duration.ofSeconds(30);
    /** How long peers may take to reconnect through the proxy (gRPC reconnect back-off is ~1 s). */
    private static final Duration RELAY_TIMEOUT = Duration.ofSeconds(20);

    private final ContainerCluster cluster;
    private final int delayMillisMin;
    private final int delayMillisMax;
    private final boolean allNodesOnly;
    private final List<NodeContainer> delayed = new ArrayList<>();

    LatencyFault(ContainerCluster cluster) {
        this(cluster, 20, 200, false);
    }

    /**
     * @param delayMillisMin one-way delay drawn from {@code [min, max]} per injection
     * @param allNodesOnly   never draw the one-node shape (for a test that measures the slow-down)
     */
    public LatencyFault(ContainerCluster cluster, int delayMillisMin, int delayMillisMax, boolean allNodesOnly) {
        if (delayMillisMin < 1 || delayMillisMax < delayMillisMin || delayMillisMax > 2_000) {
            throw new IllegalArgumentException("delay range must be within 1..2000 ms: " + delayMillisMin + ".." + delayMillisMax);
        }
        this.cluster = cluster;
        this.delayMillisMin = delayMillisMin;
        this.delayMillisMax = delayMillisMax;
        this.allNodesOnly = allNodesOnly;
    }

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String inject(Random random) throws Exception {
        int delayMillis = delayMillisMin + random.nextInt(delayMillisMax - delayMillisMin + 1);
        boolean oneNode = random.nextBoolean() && !allNodesOnly;
        List<NodeContainer> nodes = cluster.nodes();
        NodeContainer one = notTheLeader(Targets.pick(cluster, random, random.nextBoolean()), nodes);
        List<NodeContainer> targets = oneNode ? List.of(one) : nodes;
        for (NodeContainer target : targets) {
            delayed.add(target); // before starting anything, so heal undoes a half-done injection
            startProxy(target, delayMillis);
            redirectPeers(target, "-A");
            destroyRaftConnections(target);
        }
        String detail = delayMillis + "ms each way on every Raft link into " + ids(targets)
                + (oneNode ? " (one node)" : " (all nodes)") + " via user-space delay proxies";
        try {
            Await.until("a Raft connection through a delay proxy", RELAY_TIMEOUT, () -> relayedConnections(targets) > 0);
        } catch (AssertionError e) {
            // The proxies listen and the rules are in place (checked above), but no peer reconnected:
            // another fault holds the target down, paused or cut off. The delay applies as soon as a
            // peer reconnects; the timeline says so rather than failing the run for a fault in effect.
            return detail + "; no Raft connection relayed within " + RELAY_TIMEOUT.toSeconds()
                    + " s (the target is down, paused or cut off by another fault)";
        }
        return detail;
    }

    /**
     * Only connections into a node go through its proxy, and Raft's run from the leader to its
     * followers: the one-node shape delays a follower (a slow follower), never the leader, whose Raft
     * links are all outgoing and would carry nothing through the proxy.
     */
    private NodeContainer notTheLeader(NodeContainer drawn, List<NodeContainer> nodes) {
        if (cluster.currentLeader().filter(drawn::equals).isEmpty()) {
            return drawn;
        }
        return nodes.get((nodes.indexOf(drawn) + 1) % nodes.size());
    }

    private static void startProxy(NodeContainer target, int delayMillis) throws Exception {
        target.startJavaSideProgram(PID_FILE, LOG_FILE, "48m", List.of(DelayProxyMain.class.getName(),
                Integer.toString(PROXY_PORT), target.ip() + ":" + ContainerCluster.RAFT_PORT, Integer.toString(delayMillis)));
        Await.until("the delay proxy in " + target.id() + " to listen", PROXY_START_TIMEOUT, () ->
                !Docker.inNetns(target.pid(), "ss", "-Hltn", "sport = :" + PROXY_PORT).isBlank());
    }

    /** Adds the REDIRECT of each peer's connections to the proxy. */
    private void redirectPeers(NodeContainer target, String addOrDelete) throws Exception {
        long pid = target.pid();
        for (NodeContainer peer : cluster.nodes()) {
            if (peer != target) {
                Docker.inNetns(pid, "iptables", "-w", "5", "-t", "nat", addOrDelete, "PREROUTING", "-p", "tcp",
                        "-s", peer.ip(), "--dport", Integer.toString(ContainerCluster.RAFT_PORT),
                        "-j", "REDIRECT", "--to-ports", Integer.toString(PROXY_PORT));
            }
        }
    }

    /**
     * NAT applies to new connections only, and Raft keeps its connections open: close this node's
     * connections to and from its peers so they are made again, through the proxy.
     */
    private void destroyRaftConnections(NodeContainer target) throws Exception {
        long pid = target.pid();
        for (NodeContainer peer : cluster.nodes()) {
            if (peer != target) {
                Docker.inNetns(pid, "ss", "-K", "dst", peer.ip());
            }
        }
    }

    private static int relayedConnections(List<NodeContainer> targets) throws Exception {
        int n = 0;
        for (NodeContainer t : targets) {
            String established = Docker.inNetns(t.pid(), "ss", "-Htn", "state", "established", "sport = :" + PROXY_PORT);
            n += (int) established.lines().filter(l -> !l.isBlank()).count();
        }
        return n;
    }

    @Override
    public void heal() throws Exception {
        Exception first = null;
        for (NodeContainer n : delayed) {
            try {
                if (n.running()) {
                    removeRules(n);
                    // Killing the proxy closes its connections; the peers reconnect, now directly.
                    n.exec("/bin/sh", "-c", "if [ -f " + PID_FILE + " ]; then kill -KILL \"$(cat " + PID_FILE + ")\"; rm -f "
                            + PID_FILE + "; fi");
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        delayed.clear();
        if (first != null) {
            throw first;
        }
    }

    /** Deletes each REDIRECT rule that is there (a half-done injection may have added only some). */
    private void removeRules(NodeContainer target) throws Exception {
        long pid = target.pid();
        for (NodeContainer peer : cluster.nodes()) {
            if (peer == target) {
                continue;
            }
            List<String> rule = List.of("PREROUTING", "-p", "tcp", "-s", peer.ip(),
                    "--dport", Integer.toString(ContainerCluster.RAFT_PORT), "-j", "REDIRECT", "--to-ports",
                    Integer.toString(PROXY_PORT));
            String sh = "iptables -w 5 -t nat -C " + String.join(" ", rule)
                    + " 2>/dev/null && iptables -w 5 -t nat -D " + String.join(" ", rule) + "; true";
            Docker.inNetns(pid, "sh", "-c", sh);
        }
    }

    private static String ids(List<NodeContainer> nodes) {
        return String.join(",", nodes.stream().map(NodeContainer::id).toList());
    }
}
