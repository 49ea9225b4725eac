package io.mirrorfs.meta.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.BootstrapOp;
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
import io.mirrorfs.meta.engine.region.RegionOpRetries;
import io.mirrorfs.meta.engine.region.RegionOps;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.meta.engine.region.RegionState.Role;
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
        // A MutationBatch envelope has no id of its own: its members are deduplicated one by one.
        if (!request.hasRequestId() && request.getOpCase() != MetaRequest.OpCase.BATCH) {
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
     * fails. Called from one thread. Every reply carries {@code changelog_index} (see the proto).
     */
    public synchronized MetaReply apply(long index, LogEntry entry) throws IOException {
        ensureOpen();
        if (index <= appliedIndex) {
            return replayed(index, entry);
        }
        RegionState region = readStore(() -> RegionState.read(store.live()));
        MetaRequest request = entry.getRequest();
        MetaRequest.OpCase op = request.getOpCase();
        if (op == MetaRequest.OpCase.TRIM_CHANGELOG) {
            List<Row> rows = new ArrayList<>(readStore(() -> ChangelogTable.trim(store.live(), request.getTrimChangelog())));
            return write(index, rows, MetaReply.newBuilder().setIndex(index)
                    .setChangelogIndex(lastChangelogIndex(region)).build());
        }
        if (op == MetaRequest.OpCase.MIRRORED) {
            return applyMirroredOp(index, request.getMirrored(), region);
        }
        if (op == MetaRequest.OpCase.BOOTSTRAP) {
            return applyBootstrap(index, entry, region);
        }
        if (RegionOps.isRegionOp(op)) {
            return applyRegionOp(index, entry, region);
        }
        if (region.refusesClientMutations()) {
            // A mirror follows its primary's log only; a fenced primary is handing over. Either way a
            // client mutation would fork the namespace, so it is refused before it is looked at.
            markApplied(index);
            MetaReply refused = MetaReply.newBuilder().setErrno(Errno.EROFS.code()).setIndex(index)
                    .setChangelogIndex(lastChangelogIndex(region)).build();
            return op == MetaRequest.OpCase.BATCH ? forEveryMember(refused, request) : refused;
        }
        long changelogIndex = region.changelogIndexOf(index);
        OpResult result = readStore(() -> Applier.apply(store.live(), index, changelogIndex, entry));
        List<Row> rows = new ArrayList<>(result.rows().size() + 6);
        rows.addAll(result.rows());
        MetaReply reply = result.reply();
        // Only entries that changed the state are retained for mirrors: a refused op or a deduplicated
        // retry changes nothing, so a mirror applying or skipping it reaches the same state.
        if (!result.rows().isEmpty()) {
            rows.addAll(readStore(() -> ChangelogTable.append(store.live(), changelogIndex, entry)));
            if (op == MetaRequest.OpCase.FORMAT && region.role() == Role.UNSET) {
                rows.add(RegionState.roleRow(Role.PRIMARY));
            }
        } else if (reply.getErrno() != 0 || op == MetaRequest.OpCase.BATCH) {
            reply = withChangelogIndexOfRefusals(reply, lastChangelogIndex(region));
        }
        write(index, rows, reply);
        refreshVolume(reply, entry);
        return reply;
    }

    /** A reply for a whole MutationBatch: the same refusal for each member, in the members' order. */
    private static MetaReply forEveryMember(MetaReply refusal, MetaRequest batch) {
        MetaReply.Builder reply = refusal.toBuilder();
        for (int i = 0; i < batch.getBatch().getRequestsCount(); i++) {
            reply.addBatch(refusal);
        }
        return reply.build();
    }

    /**
     * An entry that changed nothing is not kept in the changelog, so its refusals reflect the newest
     * entry that is (a MutationBatch's members alike; a deduplicated member keeps its first reply).
     */
    private static MetaReply withChangelogIndexOfRefusals(MetaReply reply, long changelogIndex) {
        MetaReply.Builder fixed = reply.toBuilder();
        if (reply.getErrno() != 0) {
            fixed.setChangelogIndex(changelogIndex);
        }
        for (int i = 0; i < fixed.getBatchCount(); i++) {
            if (fixed.getBatch(i).getErrno() != 0) {
                fixed.setBatch(i, fixed.getBatch(i).toBuilder().setChangelogIndex(changelogIndex));
            }
        }
        return fixed.build();
    }

    /** Writes rows plus appliedIndex in one batch and returns the reply. */
    private MetaReply write(long index, List<Row> rows, MetaReply reply) throws IOException {
        List<Row> batch = new ArrayList<>(rows.size() + 1);
        batch.addAll(rows);
        batch.add(new Row(Cf.META, APPLIED_INDEX_KEY, Keys.u64(index)));
        store.write(batch);
        appliedIndex = index;
        return reply;
    }

    /** The newest changelog index this group holds: what a read reflects (MetaReply.changelog_index). */
    private static long lastChangelogIndex(RegionState region) {
        return region.role() == Role.MIRROR ? region.primaryIndex() : region.changelogLastIndex();
    }

    /**
     * SetDataWatermark, Fence, Promote, FollowPrimary (engine.region). A retry of the last region op
     * (same request id) gets its first reply: Promote and Fence are not idempotent by their rules.
     */
    private MetaReply applyRegionOp(long index, LogEntry entry, RegionState region) throws IOException {
        MetaRequest request = entry.getRequest();
        MetaReply earlier = readStore(() -> RegionOpRetries.lookup(store.live(), request.getRequestId()));
        if (earlier != null) {
            markApplied(index);
            return earlier;
        }
        RegionOps.Result result = RegionOps.apply(region, index, request);
        List<Row> rows = new ArrayList<>(result.rows());
        MetaReply.Builder reply = result.reply().setIndex(index);
        if (result.keptInChangelog()) {
            rows.addAll(readStore(() -> ChangelogTable.append(store.live(), result.changelogIndex(), entry)));
            reply.setChangelogIndex(result.changelogIndex());
            reply.getMirrorStateBuilder().setChangelogLastIndex(result.changelogIndex());
        } else if (reply.hasMirrorState()) {
            reply.setChangelogIndex(reply.getMirrorState().getChangelogLastIndex()); // the state after the op
        } else {
            reply.setChangelogIndex(lastChangelogIndex(region));
        }
        MetaReply done = reply.build();
        if (done.getErrno() == 0 && request.hasRequestId()) {
            rows.add(RegionOpRetries.record(request.getRequestId(), done));
        }
        write(index, rows, done);
        if (!result.rows().isEmpty()) {
            RegionState after = readStore(() -> RegionState.read(store.live()));
            primaryIndex = after.primaryIndex();
            volume = readStore(() -> Applier.volume(store.live())); // its epoch may have moved
        }
        return done;
    }

    /**
     * BootstrapOp (DESIGN §4): a mirror too far behind installs the primary's namespace through its own
     * log. The phases' rows come from the bootstrap handler; a successful END also resets what this
     * engine keeps about the chain (the changelog continues after snapshot_index, divergence is gone).
     */
    private MetaReply applyBootstrap(long index, LogEntry entry, RegionState region) throws IOException {
        OpResult result = bootstrapResult(index, entry, region);
        List<Row> rows = new ArrayList<>(result.rows());
        BootstrapOp op = entry.getRequest().getBootstrap();
        if (result.reply().getErrno() == 0 && op.getPhase() == BootstrapOp.Phase.END) {
            rows.add(RegionState.u64Row(MetaKeys.CHANGELOG_LAST_INDEX, op.getSnapshotIndex()));
            rows.add(RegionState.u64Row(MetaKeys.PRIMARY_INDEX, op.getSnapshotIndex()));
            rows.add(RegionState.roleRow(Role.MIRROR));
            rows.add(new Row(Cf.META, Keys.name(MetaKeys.BOOTSTRAP_REQUIRED), null));
        }
        MetaReply reply = write(index, rows, result.reply().toBuilder().setIndex(index).build());
        if (result.reply().getErrno() == 0 && op.getPhase() == BootstrapOp.Phase.END) {
            primaryIndex = op.getSnapshotIndex();
            volume = readStore(() -> Applier.volume(store.live()));
        }
        return reply;
    }

    /** The bootstrap handler's rows and reply for one BootstrapOp phase (the bootstrap work plugs in here). */
    private OpResult bootstrapResult(long index, LogEntry entry, RegionState region) throws IOException {
        return readStore(() -> io.mirrorfs.meta.engine.ops.BootstrapHandler.apply(store.live(), index, entry.getRequest()));
    }

    /**
     * Mirror regions (DESIGN §4): applies the primary's entry {@code primaryIndex}, carried in the
     * mirror's own log at {@code localIndex}, with the same apply code, and records primaryIndex in the
     * same batch. Entries at or below appliedIndex() are skipped like {@link #apply}. A primary index not
     * above primaryIndex() (a duplicate or reordered proposal, e.g. re-sent after a mirror leader change)
     * is refused with {@link MirrorOrderException} and changes nothing; as the decision depends only on
     * the log, every mirror replica refuses it alike, and the state machine should then call
     * {@link #markApplied(long)} for localIndex. The entry is kept in this group's changelog under the
     * primary index (so this mirror can serve Follow to mirrors of its own), the group's role becomes
     * MIRROR, and region ops from the primary's changelog update only the epoch.
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
        RegionState region = readStore(() -> RegionState.read(store.live()));
        List<Row> rows = new ArrayList<>();
        MetaReply reply;
        MetaRequest.OpCase op = entry.getRequest().getOpCase();
        if (RegionOps.isRegionOp(op) || op == MetaRequest.OpCase.BOOTSTRAP || op == MetaRequest.OpCase.TRIM_CHANGELOG) {
            // The primary's own failover entries: a mirror learns a promoted primary's epoch, nothing else.
            if (op == MetaRequest.OpCase.PROMOTE && entry.getRequest().getPromote().getNewEpoch() > region.epoch()) {
                rows.add(RegionState.u64Row(MetaKeys.EPOCH, entry.getRequest().getPromote().getNewEpoch()));
            }
            reply = MetaReply.newBuilder().setIndex(primaryIndex).setChangelogIndex(primaryIndex).build();
        } else {
            // Apply at the primary's index: replies (and the dedup rows that keep them) then name the
            // index clients track for session consistency, and the namespace matches the primary's.
            OpResult result = readStore(() -> Applier.apply(store.live(), primaryIndex, primaryIndex, entry));
            rows.addAll(result.rows());
            reply = result.reply().toBuilder().setChangelogIndex(primaryIndex).build();
        }
        // Kept even if the entry failed here (a divergence the follower reports): this changelog must
        // be the primary's, entry for entry, for this mirror's own followers.
        rows.addAll(readStore(() -> ChangelogTable.append(store.live(), primaryIndex, entry)));
        rows.add(new Row(Cf.META, PRIMARY_INDEX_KEY, Keys.u64(primaryIndex)));
        rows.add(RegionState.u64Row(MetaKeys.PRIMARY_TIME_NS, entry.getTimeNs()));
        if (region.role() != Role.MIRROR) {
            rows.add(RegionState.roleRow(Role.MIRROR));
        }
        write(localIndex, rows, reply);
        this.primaryIndex = primaryIndex;
        refreshVolume(reply, entry);
        return reply;
    }

    /**
     * A mirror's own log entry carrying one primary entry (proto MirroredOp). It is applied only when it
     * continues the chain exactly (previous_primary_index = primaryIndex()), so a duplicate, reordered or
     * skipped proposal cannot make the mirror miss or repeat a primary entry. A refusal is decided from
     * the log alone, so every replica refuses alike: errno ESTALE plus the mirror's primary index (the
     * follower resumes from there), appliedIndex advanced, nothing else written. Never throws for it.
     * A primary (e.g. a promoted mirror whose follower has not stopped yet) refuses every MirroredOp
     * with EROFS, as does a mirror that must bootstrap first.
     */
    private MetaReply applyMirroredOp(long index, MirroredOp op, RegionState region) throws IOException {
        if (region.role() == Role.PRIMARY || region.bootstrapRequired()) {
            return refuseMirrored(index, op.getPrimaryIndex(), region.role() == Role.PRIMARY ? Errno.EROFS : Errno.ESTALE);
        }
        if (!op.hasEntry() || op.getPreviousPrimaryIndex() != primaryIndex) {
            return refuseMirrored(index, op.getPrimaryIndex(), Errno.ESTALE);
        }
        try {
            return applyMirrored(index, op.getPrimaryIndex(), op.getEntry());
        } catch (MirrorOrderException e) {
            return refuseMirrored(index, op.getPrimaryIndex(), Errno.ESTALE);
        }
    }

    private MetaReply refuseMirrored(long index, long offeredPrimaryIndex, Errno errno) throws IOException {
        LOG.debug("mirror refuses primary entry {} at local index {} ({}): it is at primary index {}",
                offeredPrimaryIndex, index, errno, primaryIndex);
        markApplied(index);
        RegionState region = readStore(() -> RegionState.read(store.live()));
        return MetaReply.newBuilder().setErrno(errno.code()).setIndex(index).setChangelogIndex(primaryIndex)
                .setMirrorState(region.toProto()).build();
    }

    /** A redelivered entry: the stored dedup reply if any, else an OK reply; nothing is written. */
    private MetaReply replayed(long index, LogEntry entry) throws IOException {
        if (entry.getRequest().getOpCase() == MetaRequest.OpCase.BATCH) {
            MetaReply.Builder reply = MetaReply.newBuilder().setIndex(index);
            for (MetaRequest member : entry.getRequest().getBatch().getRequestsList()) {
                reply.addBatch(replayed(index, entry.toBuilder().setRequest(member).build()));
            }
            return reply.build();
        }
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

    /** The group's role, epoch, fence and mirror progress, from one consistent snapshot. */
    public RegionState regionState() throws IOException {
        return readSnapshot(RegionState::read);
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

    /** Reads the applied state through one consistent snapshot (leader-side tasks, e.g. the session expirer). */
    public <T> T read(java.util.function.Function<io.mirrorfs.meta.engine.store.StateReader, T> read) throws IOException {
        return readSnapshot(read::apply);
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
                // changelog_index: the newest changelog entry this read reflects (session floors live in that space).
                return new QueryHandler(view, query.getCaller()).answer(query).setIndex(index)
                        .setChangelogIndex(lastChangelogIndex(RegionState.read(view))).build();
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
