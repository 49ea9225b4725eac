package io.mirrorfs.meta.engine.ops;

/** Names of the rows in the counters family; each value is a big-endian u64. */
public final class Counters {
    private Counters() {}

    /** The next inode id AllocateIds hands out; ids below it (and above the root) were allocated. */
    public static final String NEXT_INODE = "next_inode";
    public static final String NEXT_SLICE = "next_slice";
    public static final String NEXT_SESSION = "next_session";
    /** Sum of the sizes of all regular files (what statfs reports as used). */
    public static final String USED_BYTES = "used_bytes";
    public static final String USED_INODES = "used_inodes";
}
