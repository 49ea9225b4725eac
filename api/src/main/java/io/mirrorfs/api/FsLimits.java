package io.mirrorfs.api;

/** Limits and fixed numbers of the namespace and the data layout (DESIGN §2). */
public final class FsLimits {
    private FsLimits() {}

    public static final long ROOT_INODE = 1;
    public static final int NAME_BYTES_MAX = 255;
    public static final int SYMLINK_TARGET_BYTES_MAX = 4096;
    public static final int XATTR_NAME_BYTES_MAX = 255;
    public static final int XATTR_VALUE_BYTES_MAX = 64 * 1024;
    public static final long CHUNK_SIZE_BYTES = 64L << 20;
    public static final int BLOCK_SIZE_BYTES_MAX = 4 << 20;
    /** 2^46 bytes (64 TiB): keeps chunk indexes in 32 bits with room to spare. */
    public static final long FILE_SIZE_BYTES_MAX = 1L << 46;
    public static final int READDIR_PAGE_MAX = 4096;
    public static final int ID_BATCH_MAX = 100_000;
    public static final int LOG_FORMAT_VERSION = 1;
    /** Members of one MutationBatch (group commit); the engine refuses a larger batch whole. */
    public static final int MUTATION_BATCH_MAX = 256;

    /** RenameOp.flags bits (same values as Linux renameat2). */
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;

    /** SetAttrOp.valid bits. */
    public static final int SET_MODE = 1;
    public static final int SET_UID = 2;
    public static final int SET_GID = 4;
    public static final int SET_SIZE = 8;
    public static final int SET_ATIME = 16;
    public static final int SET_MTIME = 32;
    public static final int SET_ATIME_NOW = 64;
    public static final int SET_MTIME_NOW = 128;

    /** FallocateOp.mode bits (Linux values). */
    public static final int FALLOC_KEEP_SIZE = 1;
    public static final int FALLOC_PUNCH_HOLE = 2;
    public static final int FALLOC_ZERO_RANGE = 16;

    /** SetXattrOp.flags bits (Linux values). */
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;
}
