package io.mirrorfs.api.client;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.LookupQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.UnlinkOp;
import io.mirrorfs.api.proto.VolumeQuery;
import java.nio.charset.StandardCharsets;

/**
 * Builders for the common requests, so that tools (format, bench) and tests do not each spell out
 * protobuf builders. Each mutation builder takes the request id to use: a retry must pass the same one.
 */
public final class MetaOps {
    private MetaOps() {}

    public static final Caller ROOT = Caller.newBuilder().setUid(0).setGid(0).build();

    public static MetaRequest format(RequestId id, String volume, String storeUri, long capacityBytes) {
        return base(id, ROOT).setFormat(FormatOp.newBuilder()
                .setVolume(volume).setStoreUri(storeUri).setCapacityBytes(capacityBytes)).build();
    }

    public static MetaRequest allocateInodes(RequestId id, int count) {
        return base(id, ROOT).setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.INODE).setCount(count)).build();
    }

    public static MetaRequest create(RequestId id, Caller caller, long parent, String name, FileType type, int mode, long inode) {
        return base(id, caller).setCreate(CreateOp.newBuilder()
                .setParent(parent).setName(bytes(name)).setType(type).setMode(mode).setInode(inode)).build();
    }

    public static MetaRequest unlink(RequestId id, Caller caller, long parent, String name) {
        return base(id, caller).setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(bytes(name))).build();
    }

    public static MetaRequest rename(RequestId id, Caller caller, long parent, String name, long newParent, String newName) {
        return base(id, caller).setRename(RenameOp.newBuilder()
                .setParent(parent).setName(bytes(name)).setNewParent(newParent).setNewName(bytes(newName))).build();
    }

    public static MetaQuery lookup(Caller caller, long parent, String name) {
        return MetaQuery.newBuilder().setCaller(caller)
                .setLookup(LookupQuery.newBuilder().setParent(parent).setName(bytes(name))).build();
    }

    public static MetaQuery getattr(Caller caller, long inode) {
        return MetaQuery.newBuilder().setCaller(caller).setGetattr(GetAttrQuery.newBuilder().setInode(inode)).build();
    }

    public static MetaQuery readdir(Caller caller, long inode, String afterName, int limit) {
        return MetaQuery.newBuilder().setCaller(caller).setReaddir(ReadDirQuery.newBuilder()
                .setInode(inode).setAfterName(bytes(afterName)).setLimit(limit)).build();
    }

    public static MetaQuery volume() {
        return MetaQuery.newBuilder().setCaller(ROOT).setVolume(VolumeQuery.getDefaultInstance()).build();
    }

    public static ByteString bytes(String name) {
        return ByteString.copyFrom(name, StandardCharsets.UTF_8);
    }

    private static MetaRequest.Builder base(RequestId id, Caller caller) {
        return MetaRequest.newBuilder().setRequestId(id).setCaller(caller);
    }

}
