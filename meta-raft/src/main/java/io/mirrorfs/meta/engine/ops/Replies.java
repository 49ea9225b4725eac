package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.MetaReply;

/** Small builders for the common reply shapes. */
public final class Replies {
    private Replies() {}

    public static MetaReply.Builder ok() {
        return MetaReply.newBuilder();
    }

    public static MetaReply.Builder attr(Attr.Builder attr) {
        return MetaReply.newBuilder().setAttr(attr.build());
    }

    public static MetaReply.Builder error(Errno errno) {
        return MetaReply.newBuilder().setErrno(errno.code());
    }
}
