package io.mirrorfs.chaos.cluster;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.workload.Namespace;
import io.mirrorfs.meta.mirror.TreeDigest;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.sync.BlockRef;
import io.mirrorfs.sync.MirrorMetadata;
import io.mirrorfs.sync.ReferencedBlocks;
import io.mirrorfs.sync.SyncVerifier;
import io.mirrorfs.sync.VerifyReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Set-up and end-of-run checks of a two-region run that need the server-side modules (TreeDigest from
 * meta-raft, ReferencedBlocks and SyncVerifier from mirror-sync), hence test scope.
 */
final class TwoRegionChecks {
    private static final long DIGEST_INODES_MAX = 1_000_000;
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

    private TwoRegionChecks() {}

    static void format(MetadataClient primary, RequestIds ids, String volume, String storeUri, int blockSizeBytes,
                       Duration timeout) throws Exception {
        MetaReply reply = Namespace.mutateRetrying(primary, MetaRequest.newBuilder().setRequestId(ids.next())
                .setFormat(FormatOp.newBuilder().setVolume(volume).setStoreUri(storeUri).setBlockSizeBytes(blockSizeBytes))
                .build(), timeout);
        if (reply.getErrno() != 0) {
            throw new IllegalStateException("format failed: errno " + reply.getErrno());
        }
    }

    static MirrorState state(MetadataClient client) throws Exception {
        MetaReply reply = client.query(MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build())
                .get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return reply.getMirrorState();
    }

    /** Waits until the mirror has applied the primary's changelog up to where it is now; returns that index. */
    static long awaitMirrorCaughtUp(MetadataClient primary, MetadataClient mirror, Duration timeout) throws Exception {
        long[] target = new long[1];
        Await.until("the primary to answer MirrorState", timeout, () -> {
            target[0] = state(primary).getChangelogLastIndex();
            return true;
        });
        Await.until("the mirror to apply primary index " + target[0], timeout, () -> {
            MirrorState s = state(mirror);
            return "MIRROR".equals(s.getRole()) && s.getPrimaryIndex() >= target[0];
        });
        return target[0];
    }

    /**
     * After healing and a barrier write on the primary: the mirror applies the primary's changelog up
     * to the barrier, and then both namespaces, read from the outside, have the same TreeDigest.
     */
    static Verdict namespaceConvergence(MetadataClient primary, MetadataClient mirror, RequestIds ids, Duration timeout)
            throws InterruptedException {
        List<String> last = new ArrayList<>();
        try {
            Namespace.mutateRetrying(primary, MetaOps.allocateInodes(ids.next(), 1), timeout);
            long index = awaitMirrorCaughtUp(primary, mirror, timeout);
            Await.until("equal TreeDigests of primary and mirror", timeout, () -> {
                last.clear();
                String p = HexFormat.of().formatHex(TreeDigest.of(primary, QUERY_TIMEOUT, DIGEST_INODES_MAX));
                MirrorState before = state(mirror);
                String m = HexFormat.of().formatHex(TreeDigest.of(mirror, QUERY_TIMEOUT, DIGEST_INODES_MAX));
                last.add("primary (changelog " + index + "): " + p);
                last.add("mirror (primary index " + before.getPrimaryIndex() + "): " + m);
                return p.equals(m);
            });
            return new Verdict("mirror-convergence", Validity.VALID,
                    "the mirror applied primary index >= " + index + " and has the primary's TreeDigest", last);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | AssertionError e) {
            last.add(e.toString());
            return new Verdict("mirror-convergence", Validity.INVALID,
                    "the mirror did not reach the primary's namespace within " + timeout.toSeconds() + " s", last);
        }
    }

    /**
     * Once the sync's data watermark reaches {@code primaryIndex}: every block the mirror's metadata
     * references is in the mirror's store with its size and CRC32C (read back), per mirror-sync's
     * verifier.
     */
    static Verdict mirrorBlocks(MetadataClient mirror, String mirrorGroup, ObjectStore primaryStore,
                                ObjectStore mirrorStore, String volume, int blockSizeBytes, long primaryIndex,
                                Duration timeout) throws InterruptedException {
        List<String> detail = new ArrayList<>();
        long[] watermark = new long[1];
        try {
            Await.until("the data watermark to reach " + primaryIndex, timeout, () -> {
                watermark[0] = state(mirror).getDataWatermark();
                return watermark[0] >= primaryIndex;
            });
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | AssertionError e) {
            detail.add("data watermark stuck at " + watermark[0] + ": " + e);
        }
        try {
            MirrorMetadata metadata = new MirrorMetadata(mirror, mirrorGroup, QUERY_TIMEOUT);
            List<BlockRef> blocks = new ReferencedBlocks(metadata, volume, blockSizeBytes).walk();
            VerifyReport r = new SyncVerifier(primaryStore, mirrorStore, volume).verify(blocks, false, true);
            detail.add(r.referenced() + " blocks referenced, " + r.presentInTarget() + " present, "
                    + r.missingInTargetCount() + " missing, " + r.corruptInTargetCount() + " corrupt, "
                    + r.missingEverywhereCount() + " in neither store");
            r.missingInTarget().stream().limit(10).forEach(k -> detail.add("missing " + k));
            r.corruptInTarget().stream().limit(10).forEach(k -> detail.add("corrupt " + k));
            r.missingEverywhere().stream().limit(10).forEach(k -> detail.add("LOST " + k));
            boolean ok = r.clean() && watermark[0] >= primaryIndex;
            return new Verdict("mirror-blocks", ok ? Validity.VALID : Validity.INVALID,
                    "watermark " + watermark[0] + " (target " + primaryIndex + "); every referenced block in the mirror's"
                            + " store and CRC-valid: " + r.clean(), detail);
        } catch (Exception e) {
            detail.add(e.toString());
            return new Verdict("mirror-blocks", Validity.INVALID, "could not verify the mirror's blocks", detail);
        }
    }
}
