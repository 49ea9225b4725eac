package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.StateReader;
import io.mirrorfs.meta.engine.store.Tx;
import java.util.List;

/**
 * Applies one log entry to a read view and returns the result as a value: deterministic (it reads
 * only {@code state} and the entry), and it never throws for bad input — refusal is an errno with
 * no rows. The caller writes the rows and the applied index in one batch.
 */
public final class Applier {
    private Applier() {}

    public static OpResult apply(StateReader state, long index, LogEntry entry) {
        return apply(state, index, index, entry);
    }

    /**
     * @param index          the index the reply names (the Raft index; on a mirror, the primary's)
     * @param changelogIndex the changelog index a success is kept under (MetaReply.changelog_index),
     *                       set before the reply is remembered so a retry gets it too
     */
    public static OpResult apply(StateReader state, long index, long changelogIndex, LogEntry entry) {
        MetaRequest request = entry.getRequest();
        if (request.getOpCase() == MetaRequest.OpCase.BATCH) {
            return BatchApplier.apply(state, index, changelogIndex, entry); // members come back here one by one
        }
        boolean hasId = request.hasRequestId();
        if (hasId) {
            MetaReply earlier = DedupTable.lookup(state, request.getRequestId());
            if (earlier != null) {
                return new OpResult(List.of(), earlier);
            }
        }
        Tx tx = new Tx(state);
        long nowNs = monotonicNow(state, entry.getTimeNs());
        MetaReply.Builder reply;
        try {
            reply = dispatch(tx, entry, nowNs);
        } catch (FsException e) {
            return new OpResult(List.of(), Replies.error(e.errno()).setIndex(index).build());
        }
        MetaReply done = reply.setIndex(index).setChangelogIndex(changelogIndex).build();
        tx.put(Cf.META, LAST_TIME_KEY, Keys.u64(nowNs));
        // Only successes are remembered: a refused mutation changed nothing, so running it again on a
        // retry is indistinguishable from its first attempt having been ordered later. CloseSession is
        // not remembered either: it deletes the client's rows, and one kept row per session would leak.
        // Heartbeats and session expiries are idempotent (a re-run re-stamps / re-checks), so they skip
        // the row too: heartbeats are the most frequent entry of an idle volume.
        if (hasId && remembered(request.getOpCase())) {
            DedupTable.record(tx, request.getRequestId(), done);
        }
        return new OpResult(tx.rows(), done);
    }

    private static boolean remembered(MetaRequest.OpCase op) {
        return op != MetaRequest.OpCase.CLOSE_SESSION && op != MetaRequest.OpCase.HEARTBEAT
                && op != MetaRequest.OpCase.EXPIRE_SESSIONS;
    }

    private static final byte[] LAST_TIME_KEY = Keys.name(MetaKeys.LAST_TIME_NS);

    /**
     * The time this entry's changes are stamped with: the leader's clock, but strictly after every
     * earlier stamp. A new leader's clock may be behind the old one's, and clients rely on a changed
     * file having a different mtime/ctime (page-cache revalidation at open), so time never repeats
     * or runs backwards. Deterministic: it reads only the state and the entry.
     */
    static long monotonicNow(StateReader state, long entryTimeNs) {
        byte[] last = state.get(Cf.META, LAST_TIME_KEY);
        return last == null ? entryTimeNs : Math.max(entryTimeNs, Keys.readU64(last, 0) + 1);
    }

    private static MetaReply.Builder dispatch(Tx tx, LogEntry entry, long nowNs) throws FsException {
        int version = entry.getFormatVersion();
        FsException.check(version == 0 || version == FsLimits.LOG_FORMAT_VERSION, Errno.EINVAL);
        MetaRequest request = entry.getRequest();
        VolumeInfo volume = volume(tx);
        if (request.getOpCase() == MetaRequest.OpCase.FORMAT) {
            FsException.check(volume == null, Errno.EEXIST);
            return FormatHandler.apply(tx, request.getCaller(), nowNs, request.getFormat());
        }
        FsException.check(volume != null, Errno.ENODEV);
        FsException.check(request.getEpoch() == 0 || request.getEpoch() == volume.getEpoch(), Errno.ESTALE);
        OpContext ctx = new OpContext(tx, request.getCaller(), nowNs, volume);
        MetaReply.Builder reply = switch (request.getOpCase()) {
            case CREATE -> CreateHandler.apply(ctx, request.getCreate());
            case UNLINK -> UnlinkHandler.unlink(ctx, request.getUnlink());
            case RMDIR -> UnlinkHandler.rmdir(ctx, request.getRmdir());
            case RENAME -> RenameHandler.apply(ctx, request.getRename());
            case LINK -> LinkHandler.apply(ctx, request.getLink());
            case SETATTR -> SetAttrHandler.apply(ctx, request.getSetattr());
            case COMMIT_SLICE -> CommitSliceHandler.apply(ctx, request.getCommitSlice());
            case TRUNCATE -> TruncateHandler.apply(ctx, request.getTruncate());
            case FALLOCATE -> FallocateHandler.apply(ctx, request.getFallocate());
            case SETXATTR -> XattrHandler.set(ctx, request.getSetxattr());
            case REMOVEXATTR -> XattrHandler.remove(ctx, request.getRemovexattr());
            case ALLOCATE_IDS -> AllocateIdsHandler.apply(ctx, request.getAllocateIds());
            case OPEN_SESSION -> SessionHandler.open(ctx, request.getOpenSession());
            case CLOSE_SESSION -> SessionHandler.close(ctx, request.getCloseSession());
            case HEARTBEAT -> SessionHandler.heartbeat(ctx, request.getHeartbeat());
            case EXPIRE_SESSIONS -> SessionHandler.expire(ctx, request.getExpireSessions());
            case LOCK -> LockHandler.apply(ctx, request.getLock());
            case FORMAT -> throw new AssertionError("handled above");
            // The engine applies changelog trims itself (they are not namespace ops); one reaching here
            // came from a mirror's stream, where trims never travel.
            case TRIM_CHANGELOG -> throw new FsException(Errno.EINVAL);
            // The engine unwraps a MirroredOp before the Applier; one nested inside another is malformed.
            case MIRRORED -> throw new FsException(Errno.EINVAL);
            // Region and bootstrap ops change meta rows, not the namespace: the engine applies them.
            case SET_DATA_WATERMARK, FENCE, PROMOTE, FOLLOW_PRIMARY, BOOTSTRAP -> throw new FsException(Errno.EINVAL);
            case BATCH -> throw new AssertionError("batches are unwrapped in apply");
            case OP_NOT_SET -> throw new FsException(Errno.EINVAL);
        };
        ctx.finish();
        return reply;
    }

    /** The formatted volume with its current epoch, or null before FormatOp. */
    public static VolumeInfo volume(StateReader state) {
        byte[] raw = state.get(Cf.META, Keys.name(MetaKeys.VOLUME));
        if (raw == null) {
            return null;
        }
        byte[] epoch = state.get(Cf.META, Keys.name(MetaKeys.EPOCH));
        assert epoch != null : "format writes the epoch with the volume";
        return OpContext.parse(VolumeInfo.parser(), raw).toBuilder().setEpoch(Keys.readU64(epoch, 0)).build();
    }
}
