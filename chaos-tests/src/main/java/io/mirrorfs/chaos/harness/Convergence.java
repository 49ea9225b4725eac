package io.mirrorfs.chaos.harness;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * After healing: every replica reaches the same applied state. A barrier mutation (one id reservation,
 * harmless) fixes an index all must apply; then their state digests (SHA-256 of every column family)
 * must be equal at the same applied index.
 */
public final class Convergence {
    private Convergence() {}

    public static Verdict await(ContainerCluster cluster, MetadataClient client, RequestIds ids, Duration timeout)
            throws InterruptedException {
        long barrierIndex;
        try {
            barrierIndex = io.mirrorfs.chaos.workload.Namespace.mutateRetrying(client,
                    MetaOps.allocateInodes(ids.next(), 1), timeout).getIndex();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new Verdict("replica-convergence", Validity.INVALID, "the healed cluster did not accept a write",
                    List.of(e.toString()));
        }
        List<String> last = new ArrayList<>();
        try {
            Await.until("all replicas to apply index " + barrierIndex + " with equal digests", timeout, () -> {
                last.clear();
                TreeSet<String> digests = new TreeSet<>();
                boolean allPast = true;
                for (NodeContainer n : cluster.nodes()) {
                    Optional<NodeStatusReply> s = cluster.status(n, true);
                    if (s.isEmpty()) {
                        last.add(n.id() + ": no answer");
                        allPast = false;
                        continue;
                    }
                    NodeStatusReply r = s.get();
                    last.add(n.id() + ": " + r.getRole() + " applied=" + r.getAppliedIndex() + " term=" + r.getTerm()
                            + " digest=" + hex(r));
                    allPast &= r.getAppliedIndex() >= barrierIndex;
                    digests.add(r.getAppliedIndex() + "/" + hex(r));
                }
                return allPast && digests.size() == 1;
            });
        } catch (AssertionError | Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            return new Verdict("replica-convergence", Validity.INVALID,
                    "replicas did not converge within " + timeout.toSeconds() + " s after the barrier at index " + barrierIndex,
                    last);
        }
        return new Verdict("replica-convergence", Validity.VALID,
                cluster.nodes().size() + " replicas applied index >= " + barrierIndex + " with equal state digests", last);
    }

    private static String hex(NodeStatusReply r) {
        String h = java.util.HexFormat.of().formatHex(r.getStateDigest().toByteArray());
        return h.length() > 16 ? h.substring(0, 16) : h;
    }
}
