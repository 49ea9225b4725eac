package io.mirrorfs.meta.engine.ops;

import static io.mirrorfs.api.FsLimits.CHUNK_SIZE_BYTES;
import static io.mirrorfs.api.FsLimits.FALLOC_KEEP_SIZE;
import static io.mirrorfs.api.FsLimits.FALLOC_PUNCH_HOLE;
import static io.mirrorfs.api.FsLimits.FALLOC_ZERO_RANGE;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.ChunkReply;
import io.mirrorfs.api.proto.FallocateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * fallocate. Space is not reserved (object stores have no blocks to reserve), so mode 0 only extends
 * the size; PUNCH_HOLE and ZERO_RANGE lay hole refs (slice 0) over the range, or drop whole chunks.
 */
public final class FallocateHandler {
    static final Set<Integer> MODES = Set.of(0, FALLOC_KEEP_SIZE, FALLOC_PUNCH_HOLE | FALLOC_KEEP_SIZE,
            FALLOC_ZERO_RANGE, FALLOC_ZERO_RANGE | FALLOC_KEEP_SIZE);

    private FallocateHandler() {}

    public static MetaReply.Builder apply(OpContext ctx, FallocateOp op) throws FsException {
        Attr.Builder a = ctx.inode(op.getInode());
        FsException.check(a.getType() != FileType.DIRECTORY, Errno.EISDIR);
        FsException.check(a.getType() == FileType.REGULAR, Errno.EINVAL);
        FsException.check(MODES.contains(op.getMode()), Errno.EINVAL);
        FsException.check(op.getLength() > 0 && op.getOffset() >= 0, Errno.EINVAL);
        long end = op.getOffset() + op.getLength();
        FsException.check(end > 0 && end <= FsLimits.FILE_SIZE_BYTES_MAX, Errno.EFBIG);
        boolean changed = false;
        if ((op.getMode() & (FALLOC_PUNCH_HOLE | FALLOC_ZERO_RANGE)) != 0) {
            // Past the size there is no data (truncate drops it), so holes are only needed below it.
            long holeEnd = Math.min(end, a.getSize());
            if (op.getOffset() < holeEnd) {
                punch(ctx, a.getInode(), op.getOffset(), holeEnd);
            }
            changed = true;
        }
        if ((op.getMode() & FALLOC_KEEP_SIZE) == 0 && end > a.getSize()) {
            ctx.addCounter(Counters.USED_BYTES, end - a.getSize());
            a.setSize(end);
            changed = true;
        }
        if (changed) {
            a.setMtimeNs(ctx.now()).setCtimeNs(ctx.now());
            ctx.changed(a);
        }
        return Replies.attr(a);
    }

    /** Makes [from, to) read as zeros, visiting only the chunks that exist. */
    private static void punch(OpContext ctx, long inode, long from, long to) {
        int first = (int) (from / CHUNK_SIZE_BYTES);
        int last = (int) ((to - 1) / CHUNK_SIZE_BYTES);
        byte[] after = first == 0 ? null : Keys.chunk(inode, first - 1);
        while (true) {
            List<KeyValue> page = ctx.tx().scan(Cf.CHUNKS, Keys.inode(inode), after, OpContext.SCAN_PAGE_ROWS);
            for (KeyValue kv : page) {
                int index = Keys.chunkIndex(kv.key());
                if (index > last) {
                    return;
                }
                long chunkStart = index * CHUNK_SIZE_BYTES;
                int start = (int) (Math.max(from, chunkStart) - chunkStart);
                int stop = (int) (Math.min(to, chunkStart + CHUNK_SIZE_BYTES) - chunkStart);
                List<SliceRef> before = OpContext.parse(ChunkReply.parser(), kv.value()).getSlicesList();
                List<SliceRef> next = new ArrayList<>();
                if (start > 0 || stop < CHUNK_SIZE_BYTES) {
                    next.addAll(before);
                    next.add(SliceRef.newBuilder().setPositionInChunk(start).setLength(stop - start).build());
                    if (next.size() > CommitSliceHandler.CHUNK_REFS_MAX) {
                        next = ChunkLists.resolve(next, false);
                    }
                }
                ctx.putChunk(inode, index, before, next);
            }
            if (page.size() < OpContext.SCAN_PAGE_ROWS) {
                return;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
