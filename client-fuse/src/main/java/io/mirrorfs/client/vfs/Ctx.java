package io.mirrorfs.client.vfs;

import io.mirrorfs.api.proto.Caller;

/** Who makes a call, as the kernel reported it: the caller's ids, umask and process. */
public record Ctx(int uid, int gid, int umask, int pid) {

    public static final Ctx ROOT = new Ctx(0, 0, 0, 0);

    public Caller caller() {
        return Caller.newBuilder().setUid(uid).setGid(gid).build();
    }
}
