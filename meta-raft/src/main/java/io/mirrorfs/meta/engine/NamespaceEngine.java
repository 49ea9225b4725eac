package io.mirrorfs.meta.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirroredOp;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.ops.Applier;
import io.mirrorfs.meta.engine.ops.DedupTable;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.ops.OpResult;
import io.mirrorfs.meta.engine.query.QueryHandler;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.RocksStore;
import io.mirrorfs.meta.engine.store.Row;
import io.mirrorfs.meta.engine.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace state machine (DESIGN §3) over RocksDB, without Ratis: the Ratis state machine hands
 * it committed entries in log order and queries from any thread. Each entry's rows and the applied
 * index are written in one batch, so the database is always exactly "the log up to appliedIndex".
 * The operations themselves live in {@code engine.ops}, one class each; reads in {@code engine.query}.
 */
public final class NamespaceEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceEngine.class);
    private static final byte[] APPLIED_INDEX_KEY = Keys.name(MetaKeys.APPLIED_INDEX);
    private static final byte[] PRIMARY_INDEX_KEY = Keys.name(MetaKeys.PRIMARY_INDEX);
    /** What namespaceDigest() leaves out: bookkeeping that legitimately differs between a primary and its mirror. */
    private static final Set<Cf> NOT_NAMESPACE = Set.of(Cf.META, Cf.CHANGELOG);

    private final RocksStore store;
    /** Readers (queries, digest) share it; close takes it exclusively so no read races a closed DB. */
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private volatile long appliedIndex;
    private volatile long primaryIndex;
    private volatile VolumeInfo volume;
    private boolean closed;

    private NamespaceEngine(RocksStore store) {
        this.store = store;
        byte[] raw = store.live().get(Cf.META, APPLIED_INDEX_KEY);
        this.appliedIndex = raw == null ? 0 : Keys.readU64(raw, 0);
        byte[] primary = store.live().get(Cf.META, PRIMARY_INDEX_KEY);
        this.primaryIndex = primary == null ? 0 : Keys.readU64(primary, 0);
        this.volume = Applier.volume(store.live());
    }

    /** Opens (creating if absent) the RocksDB state under dir (all column families). */
    public static NamespaceEngine open(Path dir) throws IOException {
        RocksStore store = RocksStore.open(dir);
        try {
            NamespaceEngine engine = new NamespaceEngine(store);
            LOG.info("namespace engine opened at {}: applied index {}", dir, engine.appliedIndex);
            return engine;
        } catch (StoreException e) {
            store.close();
            throw new IOException("cannot read the engine state at " + dir, e);
        }
    }

    /**
     * Parses a client's request bytes; throws InvalidRequestException for malformed protobuf or a
     * request with no op / no request id.
     */
    public static MetaRequest parseRequest(byte[] bytes) throws InvalidRequestException {
        if (bytes == null) {
            throw new InvalidRequestException("no request bytes");
        }
        MetaRequest request;
        try {
            request = MetaRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException("malformed MetaRequest (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        if (request.getOpCase() == MetaRequest.OpCase.OP_NOT_SET) {
            throw new InvalidRequestException("MetaRequest carries no operation (or one this server does not know)");
        }
        if (!request.hasRequestId()) {
            throw new InvalidRequestException("MetaRequest has no request_id: retries could not be deduplicated");
        }
        return request;
    }

    /** Leader-side prepare: fixes every non-deterministic input (the time) into the log entry. */
    public static LogEntry prepare(MetaRequest request, long nowNanos) {
        return LogEntry.newBuilder()
                .setFormatVersion(FsLimits.LOG_FORMAT_VERSION)
                .setRequest(request)
                .setTimeNs(nowNanos)
                .build();
    }

    /**
     * Applies one committed entry at Raft log index {@code index}, deterministically: validation, then
     * all rows and appliedIndex in one RocksDB WriteBatch. Entries at or below appliedIndex() are
     * skipped (returns the stored dedup reply if any, else an OK reply). Bad input never throws: it
     * returns an errno and changes nothing except appliedIndex. Throws IOException only when RocksDB
     * fails. Called from one thread.
     */
    public synchronized MetaReply apply(long index, LogEntry entry) throws IOException {
        ensureOpen();
        if (index <= appliedIndex) {
            return replayed(index, entry);
        }
        if (entry.getRequest().getOpCase() == MetaRequest.OpCase.TRIM_CHANGELOG) {
            List<Row> rows = new ArrayList<>(readStore(() ->
                    ChangelogTable.trim(store.live(), index, entry.getRequest().getTrimChangelog())));
            rows.add(new Row(Cf.META, APPLIED_INDEX_KEY, Keys.u64(index)));
            store.write(rows);
            appliedIndex = index;
            return MetaReply.newBuilder().setIndex(index).build();
        }
        if (entry.getRequest().getOpCase() == MetaRequest.OpCase.MIRRORED) {
            return applyMirroredOp(index, entry.getRequest().getMirrored());
        }
        OpResult result = readStore(() -> Applier.apply(store.live(), index, entry));
        List<Row> rows = new ArrayList<>(result.rows().size() + 4);
        rows.addAll(result.rows());
        // Only entries that changed the state are retained for mirrors: a refused op or a deduplicated
        // retry changes nothing, so a mirror applying or skipping it reaches the same state.
        if (!result.rows().isEmpty()) {
            rows.addAll(readStore(() -> ChangelogTable.append(store.live(), index, entry)));
        }
        rows.add(new Row(Cf.META, APPLIED_INDEX_KEY, Keys.u64(index)));
        store.write(rows);
        appliedIndex = index;
        refreshVolume(result.reply(), entry);
        return result.reply();
    }

    /**
     * Mirror regions (DESIGN §4): applies the primary's entry {@code primaryIndex}, carried in the
     * mirror's own log at {@code localIndex}, with the same apply code, and records primaryIndex in the
     * same batch. Entries at or below appliedIndex() are skipped like {@link #apply}. A primary index not
     * above primaryIndex() (a duplicate or reordered proposal, e.g. re-sent after a mirror leader change)
     * is refused with {@link MirrorOrderException} and changes nothing; the reply's index is the
     * primary index; as the decision depends only on
     * the log, every mirror replica refuses it alike, and the state machine should then call
     * {@link #markApplied(long)} for localIndex. Mirrors keep no changelog of their own.
     */
    public synchronized MetaReply applyMirrored(long localIndex, long primaryIndex, LogEntry entry)
            throws IOException, MirrorOrderException {
        ensureOpen();
        if (localIndex <= appliedIndex) {
            return replayed(localIndex, entry);
        }
        if (primaryIndex <= this.primaryIndex) {
            throw new MirrorOrderException(this.primaryIndex, primaryIndex, localIndex);
        }
        // Apply at the primary's index: replies (and the dedup rows that keep them) then name the index
        // clients track for session consistency, and the namespace matches the primary's byte for byte.
        OpResult result = readStore(() -> Applier.apply(store.live(), primaryIndex, entry));
        List<Row> rows = new ArrayList<>(result.rows().size() + 2);
        rows.addAll(result.rows());
        rows.add(new Row(Cf.META, PRIMARY_INDEX_KEY, Keys.u64(primaryIndex)));
        rows.add(new Row(Cf.META, APPLIED_INDEX_KEY, Keys.u64(localIndex)));
        store.write(rows);
        appliedIndex = localIndex;
        this.primaryIndex = primaryIndex;
        refreshVolume(result.reply(), entry);
        return result.reply();
    }

    /**
     * A mirror's own log entry carrying one primary entry (proto MirroredOp). It is applied only when it
     * continues the chain exactly (previous_primary_index = primaryIndex()), so a duplicate, reordered or
     * skipped proposal cannot make the mirror miss or repeat a primary entry. A refusal is decided from
     * the log alone, so every replica refuses alike: errno ESTALE plus the mirror's primary index (the
     * follower resumes from there), appliedIndex advanced, nothing else written. Never throws for it.
     */
    private MetaReply applyMirroredOp(long index, MirroredOp op) throws IOException {
        if (!op.hasEntry() || op.getPreviousPrimaryIndex() != primaryIndex) {
            return refuseMirrored(index, op.getPrimaryIndex());
        }
        try {
            return applyMirrored(index, op.getPrimaryIndex(), op.getEntry());
        } catch (MirrorOrderException e) {
            return refuseMirrored(index, op.getPrimaryIndex());
        }
    }

    private MetaReply refuseMirrored(long index, long offeredPrimaryIndex) throws IOException {
        LOG.debug("mirror refuses primary entry {} at local index {}: it is at primary index {}",
                offeredPrimaryIndex, index, primaryIndex);
        markApplied(index);
        return MetaReply.newBuilder().setErrno(Errno.ESTALE.code()).setIndex(index)
                .setMirrorState(MirrorState.newBuilder().setPrimaryIndex(primaryIndex)).build();
    }

    /** A redelivered entry: the stored dedup reply if any, else an OK reply; nothing is written. */
    private MetaReply replayed(long index, LogEntry entry) throws IOException {
        MetaReply earlier = entry.getRequest().hasRequestId()
                ? readStore(() -> DedupTable.lookup(store.live(), entry.getRequest().getRequestId()))
                : null;
        return earlier != null ? earlier : MetaReply.newBuilder().setIndex(index).build();
    }

    private void refreshVolume(MetaReply reply, LogEntry entry) throws IOException {
        if (reply.getErrno() == 0 && entry.getRequest().getOpCase() == MetaRequest.OpCase.FORMAT) {
            volume = readStore(() -> Applier.volume(store.live()));
        }
    }

    /** Advances appliedIndex for a Raft entry that carries no MetaRequest (configuration change, leader's empty entry). */
    public synchronized void markApplied(long index) throws IOException {
        ensureOpen();
        if (index <= appliedIndex) {
            return;
        }
        store.write(List.of(new Row(Cf.META, APPLIED_INDEX_KEY, Keys.u64(index))));
        appliedIndex = index;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    /** Mirror regions: the last primary log index applied here (0 on a primary or before the first). */
    public long primaryIndex() {
        return primaryIndex;
    }

    /** The changelog's extent and size, from one consistent snapshot. */
    public ChangelogStats changelogStats() throws IOException {
        return readSnapshot(view -> {
            byte[] raw = view.get(Cf.META, APPLIED_INDEX_KEY);
            return ChangelogTable.stats(view, raw == null ? 0 : Keys.readU64(raw, 0));
        });
    }

    /**
     * Retained changelog entries with index >= fromIndex, in order: at most entriesMax of them, stopping
     * once bytesMax is reached. Safe from any thread concurrently with apply.
     */
    public List<ChangelogRow> readChangelog(long fromIndex, int entriesMax, long bytesMax) throws IOException {
        if (entriesMax <= 0 || bytesMax <= 0) {
            throw new IllegalArgumentException("entriesMax and bytesMax must be positive");
        }
        return readSnapshot(view -> ChangelogTable.read(view, fromIndex, entriesMax, bytesMax));
    }

    private <T> T readSnapshot(java.util.function.Function<RocksStore.SnapshotView, T> read) throws IOException {
        closeLock.readLock().lock();
        try {
            ensureOpen();
            try (RocksStore.SnapshotView view = store.snapshot()) {
                return read.apply(view);
            }
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /**
     * Reads the current applied state from one RocksDB snapshot; safe from many threads concurrently
     * with apply. reply.index = the applied index the read saw. Never throws for bad input.
     */
    public MetaReply query(MetaQuery query) {
        closeLock.readLock().lock();
        try {
            if (closed) {
                return MetaReply.newBuilder().setErrno(Errno.EIO.code()).build();
            }
            try (RocksStore.SnapshotView view = store.snapshot()) {
                byte[] raw = view.get(Cf.META, APPLIED_INDEX_KEY);
                long index = raw == null ? 0 : Keys.readU64(raw, 0);
                return new QueryHandler(view, query.getCaller()).answer(query).setIndex(index).build();
            }
        } catch (StoreException e) {
            LOG.error("query failed in RocksDB", e);
            return MetaReply.newBuilder().setErrno(Errno.EIO.code()).build();
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /**
     * Flushes and writes a RocksDB checkpoint (hard links) of the current state into {@code target}
     * (must not exist yet); returns the applied index it holds. Synchronized with apply, so the
     * checkpoint holds exactly the returned index.
     */
    public synchronized long checkpoint(Path target) throws IOException {
        ensureOpen();
        store.checkpoint(target);
        return appliedIndex;
    }

    /** SHA-256 over every column family's keys and values in key order: equal digests mean identical state. */
    public byte[] digest() {
        return digest(Set.of());
    }

    /**
     * The digest of the namespace alone (no meta, no changelog family): a primary and a mirror that
     * applied the same entries have equal namespace digests, though their indexes differ.
     */
    public byte[] namespaceDigest() {
        return digest(NOT_NAMESPACE);
    }

    /** The digest without some families (tests compare state without the meta family's applied index). */
    byte[] digest(Set<Cf> excluded) {
        closeLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            return store.digest(excluded);
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /** The volume's info, or null before FormatOp has been applied. */
    public VolumeInfo volumeInfo() {
        return volume;
    }

    @Override
    public void close() {
        synchronized (this) {
            closeLock.writeLock().lock();
            try {
                if (!closed) {
                    closed = true;
                    store.close();
                }
            } finally {
                closeLock.writeLock().unlock();
            }
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("namespace engine is closed");
        }
    }

    private interface StoreRead<T> {
        T read();
    }

    /** RocksDB read failures surface from apply as IOException, as the contract says. */
    private static <T> T readStore(StoreRead<T> read) throws IOException {
        try {
            return read.read();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
