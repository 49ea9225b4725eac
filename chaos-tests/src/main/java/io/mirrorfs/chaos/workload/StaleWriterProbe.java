package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.IdRange;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A client that never learns of a failover: it keeps creating files in its own directory through
 * the <em>original</em> primary's group, unstamped (epoch 0, so only the fence stands between it and
 * a split brain). History key {@link #SET_KEY}: OK = created, FAIL = refused with an errno (EROFS
 * once fenced), INFO = no answer. Its inode ids come from one range reserved before the run, so it
 * keeps trying after the fence (an id refill would itself be refused and the probe would go quiet).
 */
public final class StaleWriterProbe {
    public static final String SET_KEY = "stale-writer";
    /** Process ids far from the data-file workload's (ProcessIds.of(thread, generation), thread < 1000). */
    private static final int PROCESS_BASE = 900;
    private static final int PACE_MILLIS_MAX = 40;

    private final MetadataClient oldPrimary;
    private final RequestIds ids;
    private final HistoryRecorder history;
    private final long dirInode;
    private final long opTimeoutMillis;
    private final long firstInode;
    private final long inodeEnd;
    private long nextInode;

    private StaleWriterProbe(MetadataClient oldPrimary, RequestIds ids, HistoryRecorder history, long dirInode,
                             long opTimeoutMillis, IdRange inodes) {
        this.oldPrimary = oldPrimary;
        this.ids = ids;
        this.history = history;
        this.dirInode = dirInode;
        this.opTimeoutMillis = opTimeoutMillis;
        this.firstInode = inodes.getFirst();
        this.inodeEnd = inodes.getFirst() + inodes.getCount();
        this.nextInode = firstInode;
    }

    /** Reserves {@code inodeCount} ids on the primary now (before any fault), for the whole run. */
    public static StaleWriterProbe reserve(MetadataClient primary, RequestIds ids, HistoryRecorder history, long dirInode,
                                           int inodeCount, long opTimeoutMillis, Duration setupTimeout) throws Exception {
        MetaReply reply = Namespace.mutateRetrying(primary, MetaOps.allocateInodes(ids.next(), inodeCount), setupTimeout);
        if (reply.getErrno() != 0) {
            throw new IllegalStateException("could not reserve inode ids for the stale writer: errno " + reply.getErrno());
        }
        return new StaleWriterProbe(primary, ids, history, dirInode, opTimeoutMillis, reply.getIds());
    }

    /** One thread only (it owns the id range): a create every few tens of ms until stopped or the ids run out. */
    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        while (!stop.getAsBoolean() && nextInode < inodeEnd) {
            long inode = nextInode++;
            String name = "s" + (inode - firstInode);
            HistoryRecorder.Pending p = history.invoke(PROCESS_BASE + thread, OpType.ADD, SET_KEY, name);
            Outcomes.Result<MetaReply> r = Outcomes.await(oldPrimary.mutate(MetaOps.create(ids.next(), MetaOps.ROOT,
                    dirInode, name, FileType.REGULAR, 0644, inode)), opTimeoutMillis);
            if (!r.answered()) {
                p.info(r.error());
            } else if (r.value().getErrno() != 0) {
                Outcomes.failWithErrno(p, r.value().getErrno());
            } else {
                p.ok();
            }
            Thread.sleep(random.nextInt(PACE_MILLIS_MAX + 1)); // pacing of the probe, not a settle wait
        }
    }
}
