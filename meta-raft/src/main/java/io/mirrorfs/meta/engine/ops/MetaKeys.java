package io.mirrorfs.meta.engine.ops;

/** Names of the rows in the meta family. */
public final class MetaKeys {
    private MetaKeys() {}

    /** u64: the last Raft log index whose effects are in the database. */
    /** The last time stamped by a successful mutation: stamps strictly increase (see Applier). */
    public static final String LAST_TIME_NS = "last_time_ns";
    public static final String APPLIED_INDEX = "applied_index";
    /** VolumeInfo (its epoch field unset: the epoch row is the one source of truth). */
    public static final String VOLUME = "volume";
    /** u64: the volume's current epoch (DESIGN §5). */
    public static final String EPOCH = "epoch";
    /** u64, mirror regions only: the last primary log index applied here (DESIGN §4). */
    public static final String PRIMARY_INDEX = "primary_index";
    /** u64: entries in the changelog family. */
    public static final String CHANGELOG_COUNT = "changelog_count";
    /** u64: bytes (keys + values) in the changelog family. */
    public static final String CHANGELOG_BYTES = "changelog_bytes";
    /** u64: every changelog entry below this index has been trimmed (a follower asking for less must bootstrap). */
    public static final String CHANGELOG_TRIMMED_BELOW = "changelog_trimmed_below";
}
