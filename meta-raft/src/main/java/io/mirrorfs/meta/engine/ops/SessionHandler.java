package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.CloseSessionOp;
import io.mirrorfs.api.proto.HeartbeatOp;
import io.mirrorfs.api.proto.LockList;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.OpenSessionOp;
import io.mirrorfs.api.proto.SessionRecord;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import java.util.ArrayList;
import java.util.List;

/**
 * Client sessions: open, heartbeat, close. Closing releases the session's locks and drops the dedup
 * rows of the client whose id equals the session id (clients use their session id as client id).
 */
public final class SessionHandler {
    private SessionHandler() {}

    public static MetaReply.Builder open(OpContext ctx, OpenSessionOp op) throws FsException {
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
        return Replies.ok();
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
