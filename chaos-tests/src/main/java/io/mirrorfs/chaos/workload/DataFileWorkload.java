package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * An append-only set of files with data on the primary, written as the FUSE client writes: a new
 * inode and slice id, the slice's blocks put into the primary's store, then CreateOp and
 * CommitSliceOp (DESIGN: a slice is committed only after its blocks are stored). An add is OK once
 * both are acknowledged, FAIL if the create was refused (nothing exists), INFO otherwise. Every OK
 * file is kept with its commit's changelog index and block CRCs, for the watermark audit and the
 * mirror's block check.
 *
 * <p>Each add goes to one {@link Target} (a region's metadata, its store, its ids), chosen once per add
 * by a {@link Targets} source: a fixed primary, or one that follows the primary across a failover
 * ({@link PrimaryTargets}). An add never mixes regions: blocks stored in one region's store and the
 * commit sent to another would leave the new primary naming a block its store lacks.
 */
public final class DataFileWorkload {
    public static final String SET_KEY = "data-files";
    /** 1..3 blocks per file; small, so the run is about ordering, not bandwidth. */
    private static final int BLOCKS_MAX = 3;

    /** Where the workload puts the primary's blocks (the primary region's object store). */
    @FunctionalInterface
    public interface BlockWriter {
        void put(String objectKey, byte[] data) throws IOException;
    }

    /** One block of an acknowledged file, as the metadata names it. */
    public record Block(String objectKey, int sizeBytes, int crc32c) {}

    /** An acknowledged file: created and its slice committed at changelog index {@code commitIndex}. */
    public record WrittenFile(String name, long inode, long commitIndex, List<Block> blocks) {
        public WrittenFile {
            blocks = List.copyOf(blocks);
        }
    }

    /** Where one add goes: a region's metadata client, the store its blocks go to, and its inode ids. */
    public record Target(String region, MetadataClient client, BlockWriter store, InodeAllocator inodes) {}

    /** Chooses each add's target; told when one refused (EROFS/ESTALE) or could not reserve ids. */
    public interface Targets {
        Target current() throws Exception;

        void refused(Target target);
    }

    /** Before an add is retried after its target could not be found or refused: bounds a spin during a failover. */
    private static final long PAUSE_AFTER_REFUSAL_MILLIS = 20;

    private final Targets targets;
    private final RequestIds ids;
    private final HistoryRecorder history;
    private final long dirInode;
    private final String volume;
    private final int blockSizeBytes;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;
    private final ConcurrentLinkedQueue<WrittenFile> acknowledged = new ConcurrentLinkedQueue<>();
    private final Map<String, String> acknowledgedBy = new ConcurrentHashMap<>();

    /** Every add to one fixed primary. */
    public DataFileWorkload(MetadataClient client, RequestIds ids, InodeAllocator inodes, HistoryRecorder history,
                            BlockWriter store, long dirInode, String volume, int blockSizeBytes, long opTimeoutMillis,
                            int thinkMillisMax) {
        this(fixed(new Target("primary", client, store, inodes)), ids, history, dirInode, volume, blockSizeBytes,
                opTimeoutMillis, thinkMillisMax);
    }

    public DataFileWorkload(Targets targets, RequestIds ids, HistoryRecorder history, long dirInode, String volume,
                            int blockSizeBytes, long opTimeoutMillis, int thinkMillisMax) {
        if (blockSizeBytes < 1) {
            throw new IllegalArgumentException("blockSizeBytes must be positive: " + blockSizeBytes);
        }
        this.targets = targets;
        this.ids = ids;
        this.history = history;
        this.dirInode = dirInode;
        this.volume = volume;
        this.blockSizeBytes = blockSizeBytes;
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    private static Targets fixed(Target target) {
        return new Targets() {
            @Override
            public Target current() {
                return target;
            }

            @Override
            public void refused(Target t) {
                // one primary only: nothing to re-resolve
            }
        };
    }

    /** Files whose create and commit were both acknowledged, in acknowledgement order. */
    public List<WrittenFile> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** File name → the region whose metadata acknowledged its commit. */
    public Map<String, String> acknowledgedBy() {
        return Map.copyOf(acknowledgedBy);
    }

    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        for (int n = 0; !stop.getAsBoolean(); n++) {
            Target target = null;
            long inode;
            long sliceId;
            try {
                // Not part of the history: a failed id reservation creates nothing visible.
                target = targets.current();
                inode = target.inodes().next();
                sliceId = allocateSlice(target.client());
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (target != null) {
                    targets.refused(target); // fenced, demoted or unreachable: look for the primary again
                }
                Thread.sleep(PAUSE_AFTER_REFUSAL_MILLIS); // pacing of retries while no primary accepts, not a settle wait
                continue;
            }
            if (add(target, ProcessIds.of(thread, generation), "f" + thread + "." + n, inode, sliceId, random)) {
                generation++;
            }
            if (thinkMillisMax > 0) {
                Thread.sleep(random.nextInt(thinkMillisMax + 1));
            }
        }
    }

    /** One add; returns true if its outcome is indeterminate. */
    private boolean add(Target target, int process, String name, long inode, long sliceId, Random random)
            throws InterruptedException {
        MetadataClient client = target.client();
        HistoryRecorder.Pending p = history.invoke(process, OpType.ADD, SET_KEY, name);
        Outcomes.Result<MetaReply> created = Outcomes.await(client.mutate(MetaOps.create(ids.next(), MetaOps.ROOT,
                dirInode, name, FileType.REGULAR, 0644, inode)), opTimeoutMillis);
        if (!created.answered()) {
            p.info(created.error());
            return true;
        }
        if (created.value().getErrno() != 0) {
            noteRefusal(target, created.value().getErrno());
            Outcomes.failWithErrno(p, created.value().getErrno());
            return false;
        }
        // From here on the file exists: any failure leaves the add INFO (present, data unknown), never FAIL.
        int sizeBytes = 1 + random.nextInt(BLOCKS_MAX * blockSizeBytes);
        SliceRef.Builder slice = SliceRef.newBuilder().setSliceId(sliceId).setSliceSize(sizeBytes).setLength(sizeBytes);
        List<Block> blocks = new ArrayList<>();
        try {
            for (int i = 0; i < BlockKey.blockCount(sizeBytes, blockSizeBytes); i++) {
                byte[] data = new byte[BlockKey.blockSize(sizeBytes, blockSizeBytes, i)];
                random.nextBytes(data);
                String key = new BlockKey(volume, sliceId, i, data.length).objectKey();
                target.store().put(key, data);
                int crc = crc32c(data);
                slice.addBlockCrc32C(crc);
                blocks.add(new Block(key, data.length, crc));
            }
        } catch (IOException e) {
            p.info("created, but a block could not be stored: " + e.getMessage());
            return false;
        }
        MetaRequest commit = MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                .setCommitSlice(CommitSliceOp.newBuilder().setInode(inode).setChunkIndex(0).setSlice(slice)).build();
        Outcomes.Result<MetaReply> committed = Outcomes.await(client.mutate(commit), opTimeoutMillis);
        if (!committed.answered()) {
            p.info("created; commit: " + committed.error());
            return true;
        }
        MetaReply reply = committed.value();
        if (reply.getErrno() != 0) {
            noteRefusal(target, reply.getErrno());
            p.info("created; commit refused: " + io.mirrorfs.api.Errno.of(reply.getErrno()));
            return false;
        }
        long index = reply.getChangelogIndex() != 0 ? reply.getChangelogIndex() : reply.getIndex();
        acknowledgedBy.put(name, target.region());
        acknowledged.add(new WrittenFile(name, inode, index, blocks));
        p.ok();
        return false;
    }

    /** EROFS (fenced, or a mirror now) and ESTALE (another epoch) say the target is no longer the writable primary. */
    private void noteRefusal(Target target, int errno) {
        io.mirrorfs.api.Errno e = io.mirrorfs.api.Errno.of(errno);
        if (e == io.mirrorfs.api.Errno.EROFS || e == io.mirrorfs.api.Errno.ESTALE) {
            targets.refused(target);
        }
    }

    private long allocateSlice(MetadataClient client) throws Exception {
        MetaReply reply = client.mutate(MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                        .setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.SLICE).setCount(1)).build())
                .get(opTimeoutMillis, TimeUnit.MILLISECONDS);
        if (reply.getErrno() != 0) {
            throw new IOException("slice id allocation refused: " + io.mirrorfs.api.Errno.of(reply.getErrno()));
        }
        return reply.getIds().getFirst();
    }

    public static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }
}
