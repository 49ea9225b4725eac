package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Tx;

/** Creates the volume: its info, epoch 1, the id counters and the root directory (0755, the caller's). */
public final class FormatHandler {
    public static final int BLOCK_SIZE_BYTES_DEFAULT = FsLimits.BLOCK_SIZE_BYTES_MAX;
    public static final long FIRST_EPOCH = 1;

    private FormatHandler() {}

    /** Called only when no volume exists yet (the dispatcher answers EEXIST otherwise). */
    public static MetaReply.Builder apply(Tx tx, Caller caller, long nowNs, FormatOp op) throws FsException {
        String volume = op.getVolume();
        FsException.check(!volume.isEmpty() && !volume.contains("/") && volume.length() <= 255, Errno.EINVAL);
        int blockSize = op.getBlockSizeBytes() == 0 ? BLOCK_SIZE_BYTES_DEFAULT : op.getBlockSizeBytes();
        FsException.check(blockSize > 0 && blockSize <= FsLimits.BLOCK_SIZE_BYTES_MAX, Errno.EINVAL);
        VolumeInfo info = VolumeInfo.newBuilder()
                .setVolume(volume)
                .setFormatVersion(FsLimits.LOG_FORMAT_VERSION)
                .setCapacityBytes(op.getCapacityBytes())
                .setInodesMax(op.getInodesMax())
                .setStoreUri(op.getStoreUri())
                .setBlockSizeBytes(blockSize)
                .build();
        tx.put(Cf.META, Keys.name(MetaKeys.VOLUME), info.toByteArray());
        tx.put(Cf.META, Keys.name(MetaKeys.EPOCH), Keys.u64(FIRST_EPOCH));
        OpContext ctx = new OpContext(tx, caller, nowNs, info);
        ctx.setCounter(Counters.NEXT_INODE, FsLimits.ROOT_INODE + 1);
        ctx.setCounter(Counters.NEXT_SLICE, 1);
        ctx.setCounter(Counters.NEXT_SESSION, 1);
        ctx.setCounter(Counters.USED_BYTES, 0);
        ctx.setCounter(Counters.USED_INODES, 0);
        Attr.Builder root = Attr.newBuilder()
                .setInode(FsLimits.ROOT_INODE)
                .setType(FileType.DIRECTORY)
                .setMode(0755)
                .setUid(caller.getUid())
                .setGid(caller.getGid())
                .setNlink(2)
                .setAtimeNs(nowNs)
                .setMtimeNs(nowNs)
                .setCtimeNs(nowNs)
                .setParent(FsLimits.ROOT_INODE);
        ctx.created(root);
        ctx.finish();
        return MetaReply.newBuilder().setVolume(info.toBuilder().setEpoch(FIRST_EPOCH));
    }
}
