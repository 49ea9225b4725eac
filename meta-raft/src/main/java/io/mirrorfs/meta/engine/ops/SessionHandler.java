package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.CloseSessionOp;
import io.mirrorfs.api.proto.ExpireSessionsOp;
import io.mirrorfs.api.proto.HeartbeatOp;
import io.mirrorfs.api.proto.LockList;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.api.proto.SessionRecord;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.StateReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Client sessions: open, heartbeat, close, expire. Closing releases the session's locks and drops the
 * dedup rows of the client whose id equals the session id (clients use their session id as client id).
 * Expiry closes a session whose last heartbeat is older than its TTL at the entry's time: the leader
 * proposes the candidates (ExpireSessionsOp), every replica re-checks them against the same log time.
 */
public final class SessionHandler {
    /** TTL of a session that asked for none (OpenSessionOp.ttl_ms = 0). */
    public static final long TTL_DEFAULT_MILLIS = 30_000;
    public static final long TTL_MIN_MILLIS = 1_000;
    public static final long TTL_MAX_MILLIS = 86_400_000;
    /** Sessions one ExpireSessionsOp may name: each close walks the session's locks. */
    public static final int EXPIRE_SESSIONS_MAX = 256;

    private SessionHandler() {}

    public static MetaReply.Builder open(OpContext ctx, OpenSessionOp op) throws FsException {
        long ttl = Integer.toUnsignedLong(op.getTtlMs());
        FsException.check(ttl == 0 || (ttl >= TTL_MIN_MILLIS && ttl <= TTL_MAX_MILLIS), Errno.EINVAL);
        long id = ctx.counter(Counters.NEXT_SESSION);
        assert id > 0 : "format initialises the session counter";
        ctx.setCounter(Counters.NEXT_SESSION, id + 1);
        SessionRecord record = SessionRecord.newBuilder().setSessionId(id).setInfo(op)
                .setOpenedNs(ctx.now()).setHeartbeatNs(ctx.now()).build();
        ctx.tx().put(Cf.SESSIONS, Keys.session(id), record.toByteArray());
        return MetaReply.newBuilder().setSessionId(id);
    }

    public static MetaReply.Builder heartbeat(OpContext ctx, HeartbeatOp op) throws FsException {
        SessionRecord record = load(ctx, op.getSessionId());
        ctx.tx().put(Cf.SESSIONS, Keys.session(op.getSessionId()),
                record.toBuilder().setHeartbeatNs(ctx.now()).build().toByteArray());
        return MetaReply.newBuilder().setSessionId(op.getSessionId());
    }

    public static MetaReply.Builder close(OpContext ctx, CloseSessionOp op) throws FsException {
        long id = op.getSessionId();
        load(ctx, id);
        closeSession(ctx, id);
        return Replies.ok();
    }

    /**
     * Closes each listed session that is expired at this entry's time; ENOENT (nothing written) if none
     * is. A session missing (closed meanwhile) or alive (a heartbeat applied since the leader looked) is
     * skipped, so a re-proposed or stale ExpireSessionsOp is harmless.
     */
    public static MetaReply.Builder expire(OpContext ctx, ExpireSessionsOp op) throws FsException {
        int count = op.getSessionIdsCount();
        FsException.check(count > 0 && count <= EXPIRE_SESSIONS_MAX, Errno.EINVAL);
        int closed = 0;
        for (long id : op.getSessionIdsList()) {
            byte[] raw = ctx.tx().get(Cf.SESSIONS, Keys.session(id));
            if (raw != null && expired(OpContext.parse(SessionRecord.parser(), raw), ctx.now())) {
                closeSession(ctx, id);
                closed++;
            }
        }
        FsException.check(closed > 0, Errno.ENOENT);
        return Replies.ok();
    }

    /** The session's TTL in nanoseconds (its requested one, or the default). */
    public static long ttlNanos(SessionRecord record) {
        long ttl = Integer.toUnsignedLong(record.getInfo().getTtlMs());
        return TimeUnit.MILLISECONDS.toNanos(ttl == 0 ? TTL_DEFAULT_MILLIS : ttl);
    }

    /** Whether the session's last heartbeat is more than its TTL before {@code nowNs}. */
    public static boolean expired(SessionRecord record, long nowNs) {
        return nowNs - record.getHeartbeatNs() > ttlNanos(record);
    }

    /**
     * The leader's scan (read-only): up to {@code max} sessions expired at {@code nowNs}, oldest id first.
     * Reads every session record; there is one per live mount, so this stays small.
     */
    public static List<SessionRecord> expiredSessions(StateReader state, long nowNs, int max) {
        List<SessionRecord> out = new ArrayList<>();
        byte[] prefix = {Keys.SESSION_RECORD};
        byte[] after = null;
        while (out.size() < max) {
            List<KeyValue> page = state.scan(Cf.SESSIONS, prefix, after, OpContext.SCAN_PAGE_ROWS);
            for (KeyValue kv : page) {
                SessionRecord record = OpContext.parse(SessionRecord.parser(), kv.value());
                if (expired(record, nowNs) && out.size() < max) {
                    out.add(record);
                }
            }
            if (page.size() < OpContext.SCAN_PAGE_ROWS) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        return out;
    }

    /** Deletes the session's record, its locks and lock index, and its client's dedup rows. */
    private static void closeSession(OpContext ctx, long id) {
        ctx.tx().delete(Cf.SESSIONS, Keys.session(id));
        byte[] prefix = Keys.sessionLockPrefix(id);
        while (true) {
            List<KeyValue> page = ctx.tx().scan(Cf.SESSIONS, prefix, null, OpContext.SCAN_PAGE_ROWS);
            for (KeyValue kv : page) {
                long inode = Keys.readU64(kv.key(), 9);
                int kind = kv.key()[17];
                releaseLocks(ctx, inode, kind, id);
                ctx.tx().delete(Cf.SESSIONS, kv.key());
            }
            if (page.size() < OpContext.SCAN_PAGE_ROWS) {
                break;
            }
        }
        ctx.deleteAll(Cf.DEDUP, Keys.u64(id));
    }

    private static void releaseLocks(OpContext ctx, long inode, int kind, long sessionId) {
        byte[] key = Keys.lock(inode, kind);
        byte[] raw = ctx.tx().get(Cf.LOCKS, key);
        if (raw == null) {
            return;
        }
        List<LockRange> kept = new ArrayList<>();
        for (LockRange r : OpContext.parse(LockList.parser(), raw).getRangesList()) {
            if (r.getSessionId() != sessionId) {
                kept.add(r);
            }
        }
        LockHandler.store(ctx, key, kept);
    }

    private static SessionRecord load(OpContext ctx, long id) throws FsException {
        byte[] raw = ctx.tx().get(Cf.SESSIONS, Keys.session(id));
        FsException.check(raw != null, Errno.ENOENT);
        return OpContext.parse(SessionRecord.parser(), raw);
    }
}
