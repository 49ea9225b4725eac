package io.mirrorfs.chaos.history;

/** The operations the chaos workloads perform. */
public enum OpType {
    /** Register write of {@code value} to {@code key}. */
    WRITE,
    /** Register read of {@code key}; the completed value is what was read ({@code null} = never written). */
    READ,
    /** Add element {@code value} to the set named {@code key}. */
    ADD,
    /** Move item {@code key} (an identity, e.g. an inode) to the name {@code value}. */
    RENAME
}
