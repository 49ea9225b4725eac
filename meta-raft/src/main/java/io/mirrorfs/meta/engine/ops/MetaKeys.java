package io.mirrorfs.meta.engine.ops;

/** Names of the rows in the meta family. */
public final class MetaKeys {
    private MetaKeys() {}

    /** u64: the last Raft log index whose effects are in the database. */
    public static final String APPLIED_INDEX = "applied_index";
    /** VolumeInfo (its epoch field unset: the epoch row is the one source of truth). */
    public static final String VOLUME = "volume";
    /** u64: the volume's current epoch (DESIGN §5). */
    public static final String EPOCH = "epoch";
}
