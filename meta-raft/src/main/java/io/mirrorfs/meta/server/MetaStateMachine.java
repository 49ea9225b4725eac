package io.mirrorfs.meta.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.InvalidRequestException;
import io.mirrorfs.meta.engine.NamespaceEngine;
import io.mirrorfs.meta.engine.region.RegionState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis side of the namespace: the leader prepares (parses the client's bytes, stamps the time)
 * in {@link #startTransaction}; every replica applies entries in log order through
 * {@link NamespaceEngine#apply}; reads go to {@link NamespaceEngine#query} after Ratis's read-index.
 *
 * <p>The engine's RocksDB holds the applied index in the same batch as each entry's rows, so after a
 * crash Ratis may replay entries the engine already has; the engine skips them. Ratis's own
 * "last applied" is advanced only after the engine's batch is written.
 *
 * <p>Threads: Ratis calls apply, {@link #notifyTermIndexUpdated}, {@link #takeSnapshot} and
 * {@link #reinitialize} from its one state-machine-updater thread; queries come from RPC threads and
 * only take the read side of {@link #engineLock}, which reinitialize takes exclusively while it swaps
 * the database.
 */
final class MetaStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachine.class);

    private final Path dbDir;
    private final SnapshotStore snapshots;
    private final Clock clock;
    private final ReentrantReadWriteLock engineLock = new ReentrantReadWriteLock();
    private volatile NamespaceEngine engine;
    private final WritePathStats stats = new WritePathStats();
    /** Snapshots received from a leader and installed by this process (operators and tests read it). */
    private final AtomicLong snapshotsInstalled = new AtomicLong();
    /** Called after each applied entry (the changelog service wakes its followers); never throws into Ratis. */
    private volatile LongConsumer onApplied = index -> { };

    MetaStateMachine(Path dbDir, SnapshotStore snapshots, Clock clock) {
        this.dbDir = dbDir;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        getLifeCycle().startAndTransition(() -> {
            snapshots.init(storage);
            SnapshotStore.cleanupRestoreLeftovers(dbDir);
            openEngine();
        });
    }

    /**
     * Opens the live database, first restoring it from the newest snapshot if it is behind it (a wiped
     * database, or a crash during an install): Ratis replays the log only from the snapshot on, so
     * the database must never be older than the newest snapshot.
     */
    private void openEngine() throws IOException {
        SnapshotStore.Snapshot newest = snapshots.latest();
        NamespaceEngine opened = NamespaceEngine.open(dbDir);
        if (newest != null && opened.appliedIndex() < newest.termIndex().getIndex()) {
            LOG.info("database at index {} is behind snapshot {}; restoring from it",
                    opened.appliedIndex(), newest.dir());
            opened.close();
            SnapshotStore.restore(newest, dbDir);
            opened = NamespaceEngine.open(dbDir);
        }
        if (newest != null && opened.appliedIndex() < newest.termIndex().getIndex()) {
            long applied = opened.appliedIndex();
            opened.close();
            throw new IOException("database restored from " + newest.dir() + " has applied index " + applied
                    + ", expected at least " + newest.termIndex().getIndex());
        }
        engine = opened;
        // Ratis resumes applying after this point; the engine skips what it already has.
        setLastAppliedTermIndex(newest != null ? newest.termIndex() : null);
        LOG.info("state machine open: database applied index {}, newest snapshot {}",
                opened.appliedIndex(), newest == null ? "none" : newest.termIndex());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return snapshots.getLatestSnapshot();
    }

    // ------------------------------------------------------------------------------ writes

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext.Builder context = TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request);
        MetaRequest parsed;
        try {
            // toByteArray copies out of Ratis's reference-counted buffer.
            parsed = NamespaceEngine.parseRequest(request.getMessage().getContent().toByteArray());
        } catch (InvalidRequestException e) {
            // Refused before it reaches the log: the client gets a StateMachineException with this text.
            TransactionContext refused = context.build();
            refused.setException(e);
            return refused;
        }
        LogEntry entry = NamespaceEngine.prepare(parsed, nowNanos());
        TransactionContext prepared = context.setLogData(UnsafeByteOperations.unsafeWrap(entry.toByteArray())).build();
        // Ratis hands this same context to applyTransaction on this (leader) node: keep the entry so
        // the leader's apply need not parse the bytes it just serialised, and the commit stage's start.
        prepared.setStateMachineContext(new Prepared(entry, System.nanoTime()));
        return prepared;
    }

    private long nowNanos() {
        Instant now = clock.instant();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        long applyStartNanos = System.nanoTime();
        LogEntryProto logEntry = trx.getLogEntry();
        long index = logEntry.getIndex();
        long term = logEntry.getTerm();
        LogEntry entry;
        if (trx.getStateMachineContext() instanceof Prepared prepared) {
            // On the leader: the very entry whose bytes are in the log (protobuf round-trips exactly).
            stats.commit.record(applyStartNanos - prepared.preparedNanos());
            entry = prepared.entry();
        } else {
            entry = parseLogEntry(index, logEntry.getStateMachineLogEntry().getLogData());
        }
        MetaReply reply;
        engineLock.readLock().lock();
        try {
            reply = engine.apply(index, entry);
        } catch (IOException e) {
            // Fail-stop: skipping an entry would make this replica diverge. Thrown (not a failed
            // future) so that Ratis stops this server instead of applying the next entry.
            throw new UncheckedIOException("apply of log index " + index + " failed; stopping this replica", e);
        } finally {
            engineLock.readLock().unlock();
        }
        stats.apply.record(System.nanoTime() - applyStartNanos);
        updateLastAppliedTermIndex(term, index);
        notifyApplied(index);
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.toByteArray())));
    }

    /** What the leader's startTransaction leaves for its own applyTransaction of the same entry. */
    private record Prepared(LogEntry entry, long preparedNanos) {}

    private static LogEntry parseLogEntry(long index, ByteString data) {
        try {
            return LogEntry.parseFrom(data.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            // Our own prepare wrote it: unparsable means a corrupt log, never a client error.
            throw new IllegalStateException("log entry " + index + " is not a LogEntry; stopping this replica", e);
        }
    }

    /** Entries without a MetaOp (configuration changes, a new leader's empty entry). */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        engineLock.readLock().lock();
        try {
            engine.markApplied(index);
        } catch (IOException e) {
            throw new UncheckedIOException("recording applied index " + index + " failed; stopping this replica", e);
        } finally {
            engineLock.readLock().unlock();
        }
        updateLastAppliedTermIndex(term, index);
    }

    // ------------------------------------------------------------------------------ reads

    @Override
    public CompletableFuture<Message> query(Message request) {
        MetaQuery query;
        try {
            query = MetaQuery.parseFrom(request.getContent().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            // A StateMachineException reaches the client as a final answer (anything else is retried).
            return CompletableFuture.failedFuture(new StateMachineException("malformed MetaQuery: " + e.getMessage()));
        }
        String invalid = QueryBatches.whyInvalid(query);
        if (invalid != null) {
            return CompletableFuture.failedFuture(new StateMachineException(invalid));
        }
        engineLock.readLock().lock();
        try {
            NamespaceEngine current = engine;
            if (current == null) {
                return CompletableFuture.failedFuture(new IOException("state machine is closed"));
            }
            MetaReply reply;
            if (query.getBatchCount() == 0) {
                reply = timedQuery(current, query);
            } else {
                // One read index covered the whole batch (Ratis ran it before calling us), so
                // answering every member from the current state is linearizable for each of them.
                MetaReply.Builder replies = MetaReply.newBuilder();
                for (MetaQuery member : query.getBatchList()) {
                    replies.addBatch(timedQuery(current, member));
                }
                reply = replies.build();
            }
            return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.toByteArray())));
        } finally {
            engineLock.readLock().unlock();
        }
    }

    private MetaReply timedQuery(NamespaceEngine current, MetaQuery query) {
        long startNanos = System.nanoTime();
        MetaReply reply = current.query(query);
        stats.query.record(System.nanoTime() - startNanos);
        return reply;
    }

    // ------------------------------------------------------------------------------ snapshots

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        NamespaceEngine current = engine;
        if (applied == null || applied.getIndex() <= 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        if (current.appliedIndex() != applied.getIndex()) {
            // Replaying after a restart: the engine is ahead of what Ratis has re-applied, and a
            // snapshot may not claim more than Ratis's applied index. The next trigger will do.
            SnapshotInfo existing = snapshots.getLatestSnapshot();
            return existing == null ? RaftLog.INVALID_LOG_INDEX : existing.getIndex();
        }
        SnapshotInfo existing = snapshots.getLatestSnapshot();
        if (existing != null && existing.getIndex() >= applied.getIndex()) {
            return existing.getIndex();
        }
        Path partial = snapshots.newPartialDir();
        long index = current.checkpoint(partial);
        assert index == applied.getIndex() : "checkpoint at " + index + " while applied is " + applied;
        Path published = snapshots.publish(partial, TermIndex.valueOf(applied.getTerm(), index));
        snapshots.prune(SnapshotStore.RETAINED_SNAPSHOTS);
        LOG.info("snapshot taken at {} in {}", applied, published);
        return index;
    }

    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** After Ratis installed a snapshot from the leader into the snapshot directory. */
    @Override
    public void reinitialize() throws IOException {
        engineLock.writeLock().lock();
        try {
            snapshots.refresh();
            SnapshotStore.Snapshot newest = snapshots.latest();
            if (newest == null) {
                throw new IOException("reinitialize without a snapshot in " + snapshots.getSnapshotDir());
            }
            LOG.info("installing snapshot {} as the live database", newest.dir());
            NamespaceEngine old = engine;
            engine = null;
            if (old != null) {
                old.close();
            }
            SnapshotStore.restore(newest, dbDir);
            openEngine();
            long installs = snapshotsInstalled.incrementAndGet();
            LOG.info("installed snapshot {} from the leader (install #{} of this process)", newest.termIndex(), installs);
        } finally {
            engineLock.writeLock().unlock();
        }
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    // ------------------------------------------------------------------------------ status

    void setOnApplied(LongConsumer hook) {
        this.onApplied = hook;
    }

    private void notifyApplied(long index) {
        try {
            onApplied.accept(index);
        } catch (RuntimeException e) {
            LOG.warn("applied-entry hook failed at index {}", index, e);
        }
    }

    /** The current engine (replaced when a snapshot is installed), or null while closed or swapping. */
    NamespaceEngine engine() {
        return engine;
    }

    /** This group's role, epoch and mirror progress as applied on this node, or null while closed. */
    RegionState regionState() throws IOException {
        engineLock.readLock().lock();
        try {
            return engine == null ? null : engine.regionState();
        } finally {
            engineLock.readLock().unlock();
        }
    }

    long snapshotsInstalled() {
        return snapshotsInstalled.get();
    }

    WritePathStats stats() {
        return stats;
    }

    long engineAppliedIndex() {
        NamespaceEngine e = engine;
        return e == null ? -1 : e.appliedIndex();
    }

    VolumeInfo volumeInfo() {
        engineLock.readLock().lock();
        try {
            return engine == null ? null : engine.volumeInfo();
        } finally {
            engineLock.readLock().unlock();
        }
    }

    byte[] digest() {
        engineLock.readLock().lock();
        try {
            return engine.digest();
        } finally {
            engineLock.readLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        engineLock.writeLock().lock();
        try {
            NamespaceEngine e = engine;
            engine = null;
            if (e != null) {
                e.close();
            }
        } finally {
            engineLock.writeLock().unlock();
        }
        super.close();
    }

}
