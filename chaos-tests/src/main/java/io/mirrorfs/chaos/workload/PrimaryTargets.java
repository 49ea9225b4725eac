package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link DataFileWorkload.Targets} that follow the primary across a failover, as a mirror mount's
 * PrimaryRouter does (DESIGN §5): the primary is the region whose MirrorState says PRIMARY, not
 * fenced, with the highest epoch — never the topology's initial role. Every mutation of a target is
 * stamped with the epoch it was resolved at, so a deposed primary refuses it (ESTALE) even if its
 * fence were missing. A refusal makes the next add resolve again. Thread-safe.
 */
public final class PrimaryTargets implements DataFileWorkload.Targets {
    /** A region that may be (or become) the primary: its metadata and its object store. */
    public record Region(String name, MetadataClient client, DataFileWorkload.BlockWriter store) {}

    /** Inode ids reserved per AllocateIdsOp on a target; a range left behind by a failover is just unused. */
    private static final int INODE_BATCH = 64;

    private final List<Region> regions;
    private final RequestIds ids;
    private final long probeTimeoutMillis;
    private volatile DataFileWorkload.Target current;

    public PrimaryTargets(List<Region> regions, RequestIds ids, long probeTimeoutMillis) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("no regions");
        }
        this.regions = List.copyOf(regions);
        this.ids = ids;
        this.probeTimeoutMillis = probeTimeoutMillis;
    }

    @Override
    public DataFileWorkload.Target current() throws IOException, InterruptedException {
        DataFileWorkload.Target t = current;
        return t != null ? t : resolve();
    }

    @Override
    public synchronized void refused(DataFileWorkload.Target target) {
        if (current == target) {
            current = null;
        }
    }

    /** Asks every region for its state (in parallel, bounded) and takes the unfenced primary of the highest epoch. */
    private synchronized DataFileWorkload.Target resolve() throws IOException, InterruptedException {
        if (current != null) {
            return current; // another thread resolved it while this one waited for the lock
        }
        List<CompletableFuture<MetaReply>> replies = new ArrayList<>();
        for (Region r : regions) {
            replies.add(r.client().query(MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build()));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(probeTimeoutMillis);
        Region best = null;
        long bestEpoch = -1;
        for (int i = 0; i < regions.size(); i++) {
            MirrorState s = stateOrNull(replies.get(i), deadline);
            if (s != null && "PRIMARY".equals(s.getRole()) && !s.getFenced() && s.getEpoch() > bestEpoch) {
                best = regions.get(i);
                bestEpoch = s.getEpoch();
            }
        }
        if (best == null) {
            throw new IOException("no region reports itself the unfenced primary");
        }
        MetadataClient stamped = new EpochStampedClient(best.client(), bestEpoch);
        current = new DataFileWorkload.Target(best.name(), stamped, best.store(), new InodeAllocator(stamped, ids, INODE_BATCH));
        return current;
    }

    private static MirrorState stateOrNull(CompletableFuture<MetaReply> reply, long deadlineNanos)
            throws InterruptedException {
        try {
            MetaReply r = reply.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return r.getErrno() == 0 && r.hasMirrorState() ? r.getMirrorState() : null;
        } catch (ExecutionException | TimeoutException unreachable) {
            reply.cancel(false);
            return null; // this region cannot be the target now; another may
        }
    }
}
