package io.mirrorfs.sync;

import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreException;
import io.mirrorfs.store.wrap.BandwidthLimitedStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror's block sync (DESIGN §4). Fed the mirror's applied changelog in primary-index order
 * ({@link #submit}), it copies every block each CommitSliceOp references from the source store to the
 * mirror's store with bounded parallelism, and publishes the data watermark: the highest primary index
 * whose blocks are all in the mirror's store.
 *
 * <p>A failing block is retried with capped backoff; after {@code attemptsBeforePoison} attempts (or a
 * non-retryable error) it becomes a poison block, retried apart with its own slower backoff and
 * reported in {@link #stats()}, holding the watermark below its index while later blocks keep copying.
 * Retries wait on a timer, never in a worker, so a poison block never occupies a copy slot.
 *
 * <p>Restarts: {@link #start()} returns the index to resume from (last published watermark + 1); the
 * caller re-submits entries from there, and blocks already copied above the watermark are found by a
 * head at the target and not copied again. One thread submits; stats and waits are thread-safe.
 *
 * <p>Full pass ({@link #submitFullPass}): when the changelog no longer holds the resume index (the
 * mirror bootstrapped), every block the namespace references is handed in at once under the primary
 * index the namespace walk was consistent with, through the same copier, and the feed resumes above it.
 *
 * <p>A sink that refuses because the region is a primary now ({@link RegionIsPrimaryException}) is not
 * retried on a timer: the daemon idles and calls {@link #republish()} once the region is a mirror again.
 */
public final class BlockSyncService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlockSyncService.class);
    private static final long CLOSE_WAIT_MILLIS = 10_000;
    private static final Duration PUBLISH_RETRY = Duration.ofSeconds(1);

    private final SyncConfig config;
    private final BlockCopier copier;
    private final WatermarkSink sink;
    private final LongSupplier clockMillis;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    /** One permit per block in flight: the bound on memory and the back-pressure on the changelog feed. */
    private final Semaphore slots;
    private final Object publishLock = new Object();

    // Guarded by this.
    private final TreeMap<Long, Integer> blocksLeftByIndex = new TreeMap<>();
    private final Set<CopyTask> pending = new HashSet<>();
    private long highestSubmitted;
    private long watermark;
    private long published;
    private boolean started;
    private boolean closed;
    private long blocksCopied;
    private long bytesCopied;
    private long blocksAlreadyPresent;
    private long blocksSkippedDeleted;
    private long blocksUnverified;
    private long attemptsFailed;
    private String lastPublishError = "";
    /** The running (or last) full pass: its consistent index, its size, and its blocks still to copy. */
    private long fullPassIndex;
    private long fullPassBlocksTotal;
    private long fullPassBlocksLeft;
    /**
     * The index under which the running full pass's blocks are counted in blocksLeftByIndex: one above the
     * watermark at its start, so the pass holds the watermark there until every walked block is copied.
     */
    private long fullPassHoldIndex;

    public BlockSyncService(SyncConfig config, ObjectStore source, ObjectStore target, SliceLiveness liveness,
                            WatermarkSink sink, LongSupplier clockMillis) {
        this.config = config;
        ObjectStore limited = config.bandwidthBytesPerSecond() == 0 ? target
                : new BandwidthLimitedStore(target, config.bandwidthBytesPerSecond(),
                        Math.max(config.bandwidthBytesPerSecond(), config.blockSizeBytes()));
        this.copier = new BlockCopier(source, limited, liveness);
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.slots = new Semaphore(config.pendingBlocksMax());
        this.workers = Executors.newFixedThreadPool(config.parallelism(), r -> daemon(r, "mirror-sync-copy"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mirror-sync-timer"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Loads the last published watermark; returns the primary index the feed must resume from. */
    public long start() throws IOException {
        long last = sink.lastPublished();
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("sync service already started");
            }
            started = true;
            highestSubmitted = watermark = published = last;
        }
        LOG.info("mirror sync for volume {} resumes above watermark {}", config.volume(), last);
        return last + 1;
    }

    /**
     * Hands the service one applied entry. Entries must come in increasing primary index; one at or below
     * an index already submitted is ignored (a re-fed entry after a restart). Blocks while
     * {@code pendingBlocksMax} blocks are in flight.
     */
    public void submit(long primaryIndex, LogEntry entry) throws InterruptedException {
        List<BlockRef> blocks = SliceBlocks.of(primaryIndex, entry, config.volume(), config.blockSizeBytes());
        synchronized (this) {
            checkOpen();
            if (primaryIndex <= highestSubmitted) {
                return;
            }
            highestSubmitted = primaryIndex;
            if (!blocks.isEmpty()) {
                blocksLeftByIndex.put(primaryIndex, blocks.size());
            }
        }
        enqueue(blocks, false);
    }

    /**
     * Hands the service every block the namespace referenced at {@code consistentIndex} (a walk that
     * started once the mirror had applied that index), and the feed resumes at {@code consistentIndex + 1}.
     * Until all are copied they hold the watermark where it stood before the pass (at most {@code
     * consistentIndex - 1}): a walked block may belong to a slice committed at any index up to {@code
     * consistentIndex}, so no index below it is covered before the whole pass is.
     * Blocks whose {@code primaryIndex} differs are re-tagged. If the region's index space went back
     * below what was submitted (a bootstrap at an older snapshot), the newest submitted index goes back
     * too, so entries above {@code consistentIndex} are not ignored as re-fed. Blocks while
     * {@code pendingBlocksMax} blocks are in flight.
     */
    public void submitFullPass(long consistentIndex, List<BlockRef> referenced) throws InterruptedException {
        if (consistentIndex <= 0) {
            throw new IllegalArgumentException("a full pass needs the primary index it is consistent with, got "
                    + consistentIndex);
        }
        List<BlockRef> blocks = new ArrayList<>(referenced.size());
        for (BlockRef b : referenced) {
            blocks.add(b.primaryIndex() == consistentIndex ? b : new BlockRef(consistentIndex, b.inode(),
                    b.chunkIndex(), b.key(), b.sizeBytes(), b.crc32c(), b.crcKnown()));
        }
        synchronized (this) {
            checkOpen();
            if (consistentIndex < highestSubmitted) {
                LOG.warn("full pass at primary index {} is below the newest index submitted ({}): the region's index"
                        + " space went back (a bootstrap at an older snapshot); following resumes at {}",
                        consistentIndex, highestSubmitted, consistentIndex + 1);
                watermark = Math.min(watermark, consistentIndex);
            }
            highestSubmitted = consistentIndex;
            fullPassHoldIndex = Math.min(watermark, consistentIndex - 1) + 1;
            if (!blocks.isEmpty()) {
                blocksLeftByIndex.merge(fullPassHoldIndex, blocks.size(), Integer::sum);
            }
            fullPassIndex = consistentIndex;
            fullPassBlocksTotal = blocks.size();
            fullPassBlocksLeft = blocks.size();
        }
        LOG.info("full pass of volume {}: {} blocks referenced at primary index {}", config.volume(), blocks.size(),
                consistentIndex);
        enqueue(blocks, true);
    }

    private void checkOpen() {
        assert Thread.holdsLock(this);
        if (!started || closed) {
            throw new IllegalStateException("sync service is " + (closed ? "closed" : "not started"));
        }
    }

    /** Starts the copies of blocks already registered in blocksLeftByIndex, one permit each. */
    private void enqueue(List<BlockRef> blocks, boolean fullPass) throws InterruptedException {
        InterruptedException interrupted = null;
        for (BlockRef block : blocks) {
            boolean permit = false;
            if (interrupted == null) {
                try {
                    slots.acquire();
                    permit = true;
                } catch (InterruptedException e) {
                    // Registered blocks must still run, or their index would hold the watermark forever;
                    // the rest go without permits (bounded by what was registered in this one call).
                    interrupted = e;
                }
            }
            CopyTask task;
            synchronized (this) {
                task = new CopyTask(block, fullPass ? fullPassHoldIndex : block.primaryIndex(),
                        clockMillis.getAsLong(), permit, fullPass);
            }
            synchronized (this) {
                pending.add(task);
                if (!block.crcKnown()) {
                    blocksUnverified++;
                }
            }
            execute(task);
        }
        advance();
        if (interrupted != null) {
            throw interrupted;
        }
    }

    /**
     * Publishes the watermark again if it is above the published one: after the region was a primary for
     * a while (publishing was refused then and is not retried on a timer).
     */
    public void republish() {
        synchronized (this) {
            if (closed || watermark <= published) {
                return;
            }
        }
        try {
            timer.execute(this::publishIfAdvanced);
        } catch (RejectedExecutionException e) {
            LOG.debug("watermark not republished: service closed");
        }
    }

    /** The newest primary index handed to {@link #submit} (or the resume point): a feed resumes above it. */
    public synchronized long highestSubmitted() {
        return highestSubmitted;
    }

    /** The last watermark the sink accepted. */
    public synchronized long publishedWatermark() {
        return published;
    }

    /** The highest primary index whose blocks are all copied (maybe not yet published). */
    public synchronized long watermark() {
        return watermark;
    }

    /** Waits until the watermark reaches {@code index}; false on timeout. */
    public synchronized boolean awaitWatermark(long index, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (watermark < index) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public synchronized SyncStats stats() {
        long now = clockMillis.getAsLong();
        long bytesPending = 0;
        long oldest = Long.MAX_VALUE;
        List<PoisonBlock> poison = new ArrayList<>();
        for (CopyTask t : pending) {
            bytesPending += t.block.sizeBytes();
            oldest = Math.min(oldest, t.submittedMillis);
            if (t.poisonSinceMillis != 0) {
                poison.add(t.report());
            }
        }
        poison.sort(Comparator.comparingLong(PoisonBlock::primaryIndex).thenComparing(PoisonBlock::key));
        return new SyncStats(watermark, published, highestSubmitted, highestSubmitted - watermark, heldBy(),
                pending.size(), bytesPending, pending.isEmpty() ? 0 : Math.max(0, now - oldest), blocksCopied,
                bytesCopied, blocksAlreadyPresent, blocksSkippedDeleted, blocksUnverified, attemptsFailed, poison,
                lastPublishError, new SyncStats.FullPass(fullPassIndex, fullPassBlocksTotal - fullPassBlocksLeft,
                        fullPassBlocksTotal));
    }

    /** Why the watermark is below the highest submitted index, in words for an operator. */
    private String heldBy() {
        if (blocksLeftByIndex.isEmpty()) {
            return "";
        }
        long index = blocksLeftByIndex.firstKey();
        if (fullPassBlocksLeft > 0 && index == fullPassHoldIndex) {
            return fullPassProgress();
        }
        CopyTask worst = null;
        for (CopyTask t : pending) {
            if (t.holdIndex == index && (worst == null || t.attempts > worst.attempts)) {
                worst = t;
            }
        }
        String blocks = blocksLeftByIndex.get(index) + " block(s) of primary index " + index + " not yet copied";
        if (worst == null || worst.attempts == 0) {
            return blocks;
        }
        return blocks + "; " + worst.block.objectKey() + (worst.poisonSinceMillis != 0 ? " is poison since "
                + worst.poisonSinceMillis : " is retrying") + " after " + worst.attempts + " attempts: " + worst.lastError;
    }

    /** "full pass: N of M blocks", the words logs and status use for a running full pass. */
    private String fullPassProgress() {
        return "full pass: " + (fullPassBlocksTotal - fullPassBlocksLeft) + " of " + fullPassBlocksTotal
                + " blocks (the namespace at primary index " + fullPassIndex + ")";
    }

    private void execute(CopyTask task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                if (!closed) {
                    throw new IllegalStateException("copy pool refused a task while open", e);
                }
            }
        }
    }

    private void attempt(CopyTask task) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        BlockCopier.Result result;
        try {
            result = copier.copy(task.block);
        } catch (IOException | RuntimeException e) {
            failed(task, e);
            return;
        }
        completed(task, result);
    }

    private void failed(CopyTask task, Exception error) {
        Duration delay;
        synchronized (this) {
            task.attempts++;
            attemptsFailed++;
            task.lastError = error.toString();
            boolean fatal = error instanceof StoreException se && !se.retryable();
            if (task.poisonSinceMillis == 0 && (fatal || task.attempts >= config.attemptsBeforePoison())) {
                task.poisonSinceMillis = Math.max(1, clockMillis.getAsLong());
                LOG.warn("block {} (primary index {}) is poison after {} attempts, holding the watermark: {}",
                        task.block.objectKey(), task.block.primaryIndex(), task.attempts, task.lastError);
            }
            delay = task.poisonSinceMillis == 0
                    ? SyncConfig.backoff(config.retryDelayBase(), config.retryDelayMax(), task.attempts)
                    : SyncConfig.backoff(config.poisonDelayBase(), config.poisonDelayMax(),
                            task.attempts - config.attemptsBeforePoison() + 1);
            if (closed) {
                return;
            }
        }
        LOG.debug("copy of {} failed (attempt {}), retrying in {}", task.block.objectKey(), task.attempts, delay, error);
        try {
            timer.schedule(() -> execute(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("not retrying {}: service closed", task.block.objectKey());
        }
    }

    private void completed(CopyTask task, BlockCopier.Result result) {
        synchronized (this) {
            pending.remove(task);
            switch (result) {
                case COPIED -> {
                    blocksCopied++;
                    bytesCopied += task.block.sizeBytes();
                }
                case ALREADY_PRESENT -> blocksAlreadyPresent++;
                case SKIPPED_DELETED -> {
                    blocksSkippedDeleted++;
                    LOG.info("block {} is gone at the source and its slice is deleted: skipped", task.block.objectKey());
                }
            }
            if (task.poisonSinceMillis != 0) {
                LOG.info("poison block {} healed after {} attempts", task.block.objectKey(), task.attempts + 1);
            }
            long index = task.holdIndex;
            if (task.fullPass && index == fullPassHoldIndex && fullPassBlocksLeft > 0) {
                fullPassBlocksLeft--;
                if (fullPassBlocksLeft == 0) {
                    LOG.info("full pass of volume {} done: {} blocks referenced at primary index {} are in the"
                            + " mirror's store", config.volume(), fullPassBlocksTotal, fullPassIndex);
                }
            }
            int left = blocksLeftByIndex.merge(index, -1, Integer::sum);
            assert left >= 0;
            if (left == 0) {
                blocksLeftByIndex.remove(index);
            }
        }
        if (task.holdsPermit) {
            slots.release();
        }
        advance();
    }

    /** Recomputes the watermark and publishes it off the caller's thread (the sink may be a Raft proposal). */
    private void advance() {
        synchronized (this) {
            long candidate = blocksLeftByIndex.isEmpty() ? highestSubmitted : blocksLeftByIndex.firstKey() - 1;
            if (candidate <= watermark) {
                return;
            }
            watermark = candidate;
            notifyAll();
            if (closed) {
                return;
            }
        }
        try {
            timer.execute(this::publishIfAdvanced);
        } catch (RejectedExecutionException e) {
            LOG.debug("watermark not published: service closed");
        }
    }

    private void publishIfAdvanced() {
        synchronized (publishLock) {
            long target;
            synchronized (this) {
                target = watermark;
                if (target <= published) {
                    return;
                }
            }
            try {
                sink.publish(target);
                synchronized (this) {
                    published = target;
                    lastPublishError = "";
                }
            } catch (RegionIsPrimaryException e) {
                // Not an error to retry every second: the daemon idles and calls republish() on rejoin.
                LOG.debug("data watermark {} not published: {}", target, e.getMessage());
                synchronized (this) {
                    lastPublishError = e.getMessage();
                }
            } catch (IOException | RuntimeException e) {
                boolean repeated;
                synchronized (this) {
                    repeated = lastPublishError.equals(e.toString());
                    lastPublishError = e.toString();
                    if (closed) {
                        return;
                    }
                }
                if (repeated) {
                    LOG.warn("publishing data watermark {} failed again ({}); retrying in {}", target, e, PUBLISH_RETRY);
                } else {
                    LOG.warn("publishing data watermark {} failed; retrying in {}", target, PUBLISH_RETRY, e);
                }
                try {
                    timer.schedule(this::publishIfAdvanced, PUBLISH_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    LOG.debug("watermark publish retry dropped: service closing");
                }
            }
        }
    }

    /** Stops copying (work in flight is abandoned: it is redone, head first, after the next start). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                    || !timer.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("mirror sync threads did not stop within {} ms", CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publishFinal();
    }

    /** Publishes what is already copied, so a restart redoes as little as possible. */
    private void publishFinal() {
        long target;
        synchronized (this) {
            target = watermark;
        }
        synchronized (publishLock) {
            if (target <= published) {
                return;
            }
            try {
                sink.publish(target);
                synchronized (this) {
                    published = target;
                }
            } catch (RegionIsPrimaryException e) {
                LOG.info("final data watermark {} not published: {}", target, e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.warn("final publish of data watermark {} failed; the next start redoes the blocks above {}",
                        target, published, e);
            }
        }
    }

    private final class CopyTask implements Runnable {
        final BlockRef block;
        /** Its key in blocksLeftByIndex: the block's primary index, or the full pass's hold index. */
        final long holdIndex;
        final long submittedMillis;
        final boolean holdsPermit;
        /** Part of a full pass (counted in its progress) rather than of one changelog entry. */
        final boolean fullPass;
        int attempts;
        String lastError = "";
        long poisonSinceMillis;

        CopyTask(BlockRef block, long holdIndex, long submittedMillis, boolean holdsPermit, boolean fullPass) {
            this.block = block;
            this.holdIndex = holdIndex;
            this.submittedMillis = submittedMillis;
            this.holdsPermit = holdsPermit;
            this.fullPass = fullPass;
        }

        @Override
        public void run() {
            attempt(this);
        }

        PoisonBlock report() {
            return new PoisonBlock(block.objectKey(), block.primaryIndex(), lastError, attempts, poisonSinceMillis);
        }
    }
}
