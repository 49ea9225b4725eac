package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockList;
import io.mirrorfs.api.proto.LockOp;
import io.mirrorfs.api.proto.LockRange;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * flock (whole file, per owner) and fcntl byte-range locks (per owner; a new lock or unlock replaces
 * the owner's locks over its range, splitting and merging). Non-blocking: a conflict is EAGAIN.
 */
public final class LockHandler {
    /** Locks held on one inode (of one kind); more is ENOLCK. */
    public static final int LOCKS_PER_INODE_MAX = 1024;

    private LockHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, LockOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        LockKind kind = op.getKind();
        FsException.check(kind == LockKind.FLOCK || kind == LockKind.POSIX, Errno.EINVAL);
        LockRange want = normalize(kind, op.getRange());
        if (want.getSessionId() != 0) {
            FsException.check(ctx.tx().get(Cf.SESSIONS, Keys.session(want.getSessionId())) != null, Errno.EINVAL);
        }
        byte[] key = Keys.lock(a.getInode(), kind.getNumber());
        List<LockRange> held = load(ctx, key);
        if (want.getType() != LockType.UNLOCK) {
            FsException.check(conflict(held, want) == null, Errno.EAGAIN);
        }
        List<LockRange> next = new ArrayList<>();
        for (LockRange r : held) {
            if (r.getOwner() != want.getOwner() || !overlaps(r, want)) {
                next.add(r);
                continue;
            }
            // The owner's old lock keeps only what lies outside the new range.
            if (Long.compareUnsigned(r.getStart(), want.getStart()) < 0) {
                next.add(r.toBuilder().setEnd(want.getStart() - 1).build());
            }
            if (Long.compareUnsigned(r.getEnd(), want.getEnd()) > 0) {
                next.add(r.toBuilder().setStart(want.getEnd() + 1).build());
            }
        }
        if (want.getType() != LockType.UNLOCK) {
            next.add(want);
        }
        next = merge(next);
        FsException.check(next.size() <= LOCKS_PER_INODE_MAX, Errno.ENOLCK);
        store(ctx, key, next);
        if (want.getSessionId() != 0 && want.getType() != LockType.UNLOCK) {
            ctx.tx().put(Cf.SESSIONS, Keys.sessionLock(want.getSessionId(), a.getInode(), kind.getNumber()),
                    new byte[0]);
        }
        return Replies.ok();
    }

    /** Validates a requested range; flock always covers the whole file. */
    public static LockRange normalize(LockKind kind, LockRange range) throws FsException {
        LockType type = range.getType();
        FsException.check(type == LockType.READ || type == LockType.WRITE || type == LockType.UNLOCK, Errno.EINVAL);
        if (kind == LockKind.FLOCK) {
            return range.toBuilder().setStart(0).setEnd(-1).build();
        }
        FsException.check(Long.compareUnsigned(range.getStart(), range.getEnd()) <= 0, Errno.EINVAL);
        return range;
    }

    /** The first lock of another owner that {@code want} cannot coexist with, or null. */
    public static LockRange conflict(List<LockRange> held, LockRange want) {
        for (LockRange r : held) {
            boolean exclusive = r.getType() == LockType.WRITE || want.getType() == LockType.WRITE;
            if (r.getOwner() != want.getOwner() && exclusive && overlaps(r, want)) {
                return r;
            }
        }
        return null;
    }

    static boolean overlaps(LockRange a, LockRange b) {
        return Long.compareUnsigned(a.getStart(), b.getEnd()) <= 0 && Long.compareUnsigned(b.getStart(), a.getEnd()) <= 0;
    }

    /** Sorts by (start, owner) and joins an owner's touching or overlapping ranges of the same type. */
    static List<LockRange> merge(List<LockRange> ranges) {
        List<LockRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(LockRange::getStart, Long::compareUnsigned)
                .thenComparing(LockRange::getOwner, Long::compareUnsigned));
        List<LockRange> out = new ArrayList<>();
        for (LockRange r : sorted) {
            int joined = -1;
            for (int i = 0; i < out.size(); i++) {
                LockRange o = out.get(i);
                boolean touches = o.getEnd() == -1 || Long.compareUnsigned(r.getStart(), o.getEnd() + 1) <= 0;
                if (o.getOwner() == r.getOwner() && o.getType() == r.getType() && touches) {
                    joined = i;
                    break;
                }
            }
            if (joined < 0) {
                out.add(r);
            } else {
                LockRange o = out.get(joined);
                long end = Long.compareUnsigned(o.getEnd(), r.getEnd()) >= 0 ? o.getEnd() : r.getEnd();
                out.set(joined, o.toBuilder().setEnd(end).build());
            }
        }
        return out;
    }

    public static List<LockRange> load(OpContext ctx, byte[] key) {
        byte[] raw = ctx.tx().get(Cf.LOCKS, key);
        return raw == null ? new ArrayList<>() : new ArrayList<>(OpContext.parse(LockList.parser(), raw).getRangesList());
    }

    static void store(OpContext ctx, byte[] key, List<LockRange> ranges) {
        if (ranges.isEmpty()) {
            ctx.tx().delete(Cf.LOCKS, key);
        } else {
            ctx.tx().put(Cf.LOCKS, key, LockList.newBuilder().addAllRanges(ranges).build().toByteArray());
        }
    }
}
