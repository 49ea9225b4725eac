package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only set: creates of uniquely named files ("e&lt;thread&gt;.&lt;n&gt;") in one directory.
 * The final listing of the directory is the set's final read (checked by AppendOnlySetChecker).
 */
public final class SetWorkload {
    private static final Logger LOG = LoggerFactory.getLogger(SetWorkload.class);
    public static final String SET_KEY = "created-files";

    private final MetadataClient client;
    private final RequestIds ids;
    private final InodeAllocator inodes;
    private final HistoryRecorder history;
    private final long dirInode;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;

    public SetWorkload(MetadataClient client, RequestIds ids, InodeAllocator inodes, HistoryRecorder history,
                       long dirInode, long opTimeoutMillis, int thinkMillisMax) {
        this.client = client;
        this.ids = ids;
        this.inodes = inodes;
        this.history = history;
        this.dirInode = dirInode;
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        for (int n = 0; !stop.getAsBoolean(); n++) {
            long inode;
            try {
                // Not part of the history: a failed id reservation creates nothing visible.
                inode = inodes.next();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.debug("inode allocation failed (retrying): {}", e.toString());
                continue;
            }
            String name = "e" + thread + "." + n;
            HistoryRecorder.Pending p = history.invoke(ProcessIds.of(thread, generation), OpType.ADD, SET_KEY, name);
            Outcomes.Result<MetaReply> r = Outcomes.await(client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT, dirInode,
                    name, FileType.REGULAR, 0644, inode)), opTimeoutMillis);
            if (!r.answered()) {
                p.info(r.error());
                generation++;
            } else if (r.value().getErrno() != 0) {
                Outcomes.failWithErrno(p, r.value().getErrno());
            } else {
                p.ok();
            }
            if (thinkMillisMax > 0) {
                Thread.sleep(random.nextInt(thinkMillisMax + 1));
            }
        }
    }
}
