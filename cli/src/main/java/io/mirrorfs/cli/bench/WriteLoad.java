package io.mirrorfs.cli.bench;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.FsLimits;
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
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The primary's write load: N writer threads, each in its own directory, doing what the FUSE client
 * does for a file with data — create, allocate a slice id, put the block into the primary's store,
 * then CommitSlice (so no committed metadata names a missing block) — at the paced block rate, and
 * small metadata operations (create and unlink of an empty file) at the paced metadata rate. Every
 * acknowledged mutation's changelog index goes to the metadata lag tracker, every committed slice's
 * to the data lag tracker.
 */
final class WriteLoad implements AutoCloseable {
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final int INODE_BATCH = 1000;
    private static final long IDLE_WAIT_NANOS_MAX = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long FAILURE_BACKOFF_MILLIS = 50;
    private static final long JOIN_MILLIS = 2 * CALL_TIMEOUT_SECONDS * 1000;

    private final MetadataClient primary;
    private final ObjectStore store;
    private final int blockSizeBytes;
    private final Pacer blocks;
    private final Pacer metaOps;
    private final LagTracker metadataLag;
    private final LagTracker dataLag;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong mutations = new AtomicLong();
    private final AtomicLong blocksWritten = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError = "";
    private volatile boolean stopped;

    WriteLoad(MetadataClient primary, ObjectStore store, MirrorBenchConfig config, double metaOpsPerSecond,
              LagTracker metadataLag, LagTracker dataLag) {
        this.primary = primary;
        this.store = store;
        this.blockSizeBytes = config.blockSizeBytes();
        long now = System.nanoTime();
        this.blocks = new Pacer(config.writeBytesPerSecond() / (double) config.blockSizeBytes(), now);
        this.metaOps = new Pacer(metaOpsPerSecond, now);
        this.metadataLag = metadataLag;
        this.dataLag = dataLag;
        for (int i = 0; i < config.writers(); i++) {
            Writer w = new Writer("bench-w" + i + "-" + Long.toHexString(now), new Random(i));
            threads.add(Thread.ofPlatform().daemon().name("bench-mirror-writer-" + i).start(w::run));
        }
    }

    /** Acknowledged mutations, committed blocks and failed operations so far. */
    record Counts(long mutations, long blocks, long errors) {
        Counts minus(Counts earlier) {
            return new Counts(mutations - earlier.mutations, blocks - earlier.blocks, errors - earlier.errors);
        }
    }

    Counts counts() {
        return new Counts(mutations.get(), blocksWritten.get(), errors.get());
    }

    String lastError() {
        return lastError;
    }

    /** Stops the writers after their current operation; waits for them. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            t.join(JOIN_MILLIS);
        }
    }

    private final class Writer {
        final RequestIds ids = new RequestIds();
        final InodeAllocator inodes = new InodeAllocator(primary, ids, INODE_BATCH);
        final String dirName;
        final Random random;
        final byte[] pattern;
        long dir;
        long files;
        long small;
        boolean smallExists;

        Writer(String dirName, Random random) {
            this.dirName = dirName;
            this.random = random;
            this.pattern = new byte[blockSizeBytes];
            random.nextBytes(pattern);
        }

        void run() {
            try {
                dir = mutate(MetaOps.create(ids.next(), MetaOps.ROOT, FsLimits.ROOT_INODE, dirName, FileType.DIRECTORY,
                        0755, inodes.next())).getAttr().getInode();
            } catch (Exception e) {
                failed(e);
                return;
            }
            while (!stopped) {
                try {
                    long now = System.nanoTime();
                    if (blocks.tryTake(now)) {
                        writeFileWithBlock();
                    } else if (metaOps.tryTake(now)) {
                        smallOp();
                    } else {
                        long wait = Math.min(IDLE_WAIT_NANOS_MAX,
                                Math.min(blocks.nanosUntilDue(now), metaOps.nanosUntilDue(now)));
                        TimeUnit.NANOSECONDS.sleep(Math.max(1, wait)); // pacing: until the next permit
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failed(e);
                    if (!backOff()) {
                        return;
                    }
                }
            }
        }

        /** After a failure: a short pause so a primary that is down is not hammered. False if interrupted. */
        boolean backOff() {
            try {
                TimeUnit.MILLISECONDS.sleep(FAILURE_BACKOFF_MILLIS);
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        }

        void writeFileWithBlock() throws Exception {
            long inode = inodes.next();
            mutate(MetaOps.create(ids.next(), MetaOps.ROOT, dir, "f" + files++, FileType.REGULAR, 0644, inode));
            long slice = mutate(MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                    .setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.SLICE).setCount(1)).build())
                    .getIds().getFirst();
            byte[] block = pattern.clone();
            long salt = random.nextLong(); // distinct bytes (and CRC) per block without generating 4 MiB of randomness
            for (int i = 0; i < Long.BYTES; i++) {
                block[i] = (byte) (salt >>> (8 * i));
            }
            store.put(new BlockKey(BenchRegions.VOLUME, slice, 0, block.length).objectKey(), block);
            SliceRef ref = SliceRef.newBuilder().setSliceId(slice).setSliceSize(block.length).setLength(block.length)
                    .addBlockCrc32C(Crc32c.of(block)).build();
            MetaReply commit = mutate(MetaRequest.newBuilder().setRequestId(ids.next()).setCaller(MetaOps.ROOT)
                    .setCommitSlice(CommitSliceOp.newBuilder().setInode(inode).setChunkIndex(0).setSlice(ref)).build());
            dataLag.primaryApplied(changelogIndex(commit), System.nanoTime());
            blocksWritten.incrementAndGet();
        }

        /** Alternates create and unlink of one empty file: metadata-only load that keeps the directory small. */
        void smallOp() throws Exception {
            String name = "m" + small;
            try {
                if (smallExists) {
                    mutate(MetaOps.unlink(ids.next(), MetaOps.ROOT, dir, name));
                    small++;
                } else {
                    mutate(MetaOps.create(ids.next(), MetaOps.ROOT, dir, name, FileType.REGULAR, 0644, inodes.next()));
                }
                smallExists = !smallExists;
            } catch (Exception e) {
                // Outcome unknown: continue with a fresh name rather than repeat a create that may have applied.
                small++;
                smallExists = false;
                throw e;
            }
        }

        MetaReply mutate(MetaRequest request) throws Exception {
            MetaReply reply = primary.mutate(request).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long at = System.nanoTime();
            if (reply.getErrno() != 0) {
                throw new IllegalStateException(request.getOpCase() + " failed on the primary: errno " + reply.getErrno());
            }
            mutations.incrementAndGet();
            metadataLag.primaryApplied(changelogIndex(reply), at);
            return reply;
        }

        void failed(Exception e) {
            errors.incrementAndGet();
            lastError = e.toString();
        }
    }

    private static long changelogIndex(MetaReply reply) {
        // A primary that was never promoted has changelog index = Raft index; older servers fill only index.
        return reply.getChangelogIndex() != 0 ? reply.getChangelogIndex() : reply.getIndex();
    }
}
