package io.mirrorfs.client.vfs;

import io.mirrorfs.api.proto.Caller;

/**
 * Who makes a call, as the kernel reported it: the caller's ids, umask, process and supplementary
 * groups (permission checks at apply time use them, e.g. write access through a group).
 */
public record Ctx(int uid, int gid, int umask, int pid, int[] groups) {

    private static final int[] NO_GROUPS = new int[0];
    public static final Ctx ROOT = new Ctx(0, 0, 0, 0);

    public Ctx(int uid, int gid, int umask, int pid) {
        this(uid, gid, umask, pid, NO_GROUPS);
    }

    public Caller caller() {
        Caller.Builder c = Caller.newBuilder().setUid(uid).setGid(gid);
        for (int g : groups) {
            c.addGroups(g);
        }
        return c.build();
    }
}
