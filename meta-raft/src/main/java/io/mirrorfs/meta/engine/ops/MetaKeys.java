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
    /** u64: the newest changelog index this group holds (a primary's last kept entry; a mirror's primary index). */
    public static final String CHANGELOG_LAST_INDEX = "changelog_last_index";

    // ---- region state (DESIGN §4, §5): see engine.region.RegionState

    /** ASCII: PRIMARY or MIRROR; absent = UNSET (or a volume formatted before roles existed, see RegionState). */
    public static final String ROLE = "role";
    /** u64 1/0: a fenced primary refuses client mutations (FenceOp). */
    public static final String FENCED = "fenced";
    /** u64, mirrors: the committed data watermark (SetDataWatermarkOp), only increases. */
    public static final String DATA_WATERMARK = "data_watermark";
    /** u64: changelog index = Raft index + this offset on a primary (0 on an original primary; PromoteOp sets it). */
    public static final String CHANGELOG_OFFSET = "changelog_offset";
    /** u64, mirrors: time_ns of the last primary entry applied here (lag in seconds). */
    public static final String PRIMARY_TIME_NS = "primary_time_ns";
    /** UTF-8, mirrors: the region followed, its peers (ID=HOST:PORT,...) and Raft group name (FollowPrimaryOp). */
    public static final String PRIMARY_REGION = "primary_region";
    public static final String PRIMARY_PEERS = "primary_peers";
    public static final String PRIMARY_GROUP = "primary_group";
    /** u64, a promoted primary: the primary index it had applied when promoted. */
    public static final String PROMOTED_AT_INDEX = "promoted_at_index";
    /** u64 1/0: FollowPrimaryOp found divergent entries here; only a BootstrapOp END clears it. */
    public static final String BOOTSTRAP_REQUIRED = "bootstrap_required";
    /** The last region op's request id and reply (client u64 + seq u64 + MetaReply bytes), for retries. */
    public static final String REGION_OP_LAST = "region_op_last";
}
