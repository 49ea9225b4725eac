package io.mirrorfs.meta.engine.region;

import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Row;
import io.mirrorfs.meta.engine.store.StateReader;
import java.nio.charset.StandardCharsets;

/**
 * A group's region role and failover state (DESIGN §4, §5), read from its {@code meta} rows. Every
 * field is decided at apply time from the log alone, so all replicas of a group agree on it.
 *
 * @param formatted       a volume exists (FormatOp applied here or mirrored from the primary)
 * @param changelogOffset changelog index = Raft index + offset on a primary (PromoteOp sets it)
 */
public record RegionState(Role role, boolean formatted, long epoch, boolean fenced, long primaryIndex,
                          long dataWatermark, long changelogOffset, long changelogLastIndex, long primaryTimeNs,
                          String primaryRegion, String primaryPeers, String primaryGroup, long promotedAtIndex,
                          boolean bootstrapRequired) {

    public enum Role { UNSET, PRIMARY, MIRROR }

    public static RegionState read(StateReader state) {
        boolean formatted = state.get(Cf.META, Keys.name(MetaKeys.VOLUME)) != null;
        long primaryIndex = u64(state, MetaKeys.PRIMARY_INDEX);
        return new RegionState(role(state, formatted, primaryIndex), formatted, u64(state, MetaKeys.EPOCH),
                u64(state, MetaKeys.FENCED) != 0, primaryIndex, u64(state, MetaKeys.DATA_WATERMARK),
                u64(state, MetaKeys.CHANGELOG_OFFSET), u64(state, MetaKeys.CHANGELOG_LAST_INDEX),
                u64(state, MetaKeys.PRIMARY_TIME_NS), text(state, MetaKeys.PRIMARY_REGION),
                text(state, MetaKeys.PRIMARY_PEERS), text(state, MetaKeys.PRIMARY_GROUP),
                u64(state, MetaKeys.PROMOTED_AT_INDEX), u64(state, MetaKeys.BOOTSTRAP_REQUIRED) != 0);
    }

    /**
     * The role row; without one, a volume formatted before roles were stored is a primary if it never
     * applied a mirrored entry, else a mirror (so existing data directories keep working).
     */
    private static Role role(StateReader state, boolean formatted, long primaryIndex) {
        byte[] raw = state.get(Cf.META, Keys.name(MetaKeys.ROLE));
        if (raw != null) {
            return Role.valueOf(new String(raw, StandardCharsets.US_ASCII));
        }
        if (primaryIndex > 0) {
            return Role.MIRROR;
        }
        return formatted ? Role.PRIMARY : Role.UNSET;
    }

    /** Ordinary client mutations are refused (EROFS) on a mirror and on a fenced primary. */
    public boolean refusesClientMutations() {
        return role == Role.MIRROR || fenced;
    }

    /** The changelog index an entry applied at Raft index {@code raftIndex} gets on this (primary) group. */
    public long changelogIndexOf(long raftIndex) {
        return raftIndex + changelogOffset;
    }

    public MirrorState toProto() {
        return MirrorState.newBuilder()
                .setPrimaryIndex(primaryIndex)
                .setDataWatermark(dataWatermark)
                .setEpoch(epoch)
                .setRole(role.name())
                .setFenced(fenced)
                .setPrimaryTimeNs(primaryTimeNs)
                .setChangelogLastIndex(role == Role.MIRROR ? primaryIndex : changelogLastIndex)
                .setPrimaryRegion(primaryRegion)
                .setPromotedAtIndex(promotedAtIndex)
                .setPrimaryPeers(primaryPeers)
                .setPrimaryGroup(primaryGroup)
                .setBootstrapRequired(bootstrapRequired)
                .build();
    }

    // ---- rows

    public static Row roleRow(Role role) {
        assert role != Role.UNSET : "UNSET is the absence of the row";
        return new Row(Cf.META, Keys.name(MetaKeys.ROLE), role.name().getBytes(StandardCharsets.US_ASCII));
    }

    public static Row u64Row(String name, long value) {
        return new Row(Cf.META, Keys.name(name), Keys.u64(value));
    }

    public static Row textRow(String name, String value) {
        return new Row(Cf.META, Keys.name(name), value.getBytes(StandardCharsets.UTF_8));
    }

    private static long u64(StateReader state, String name) {
        byte[] raw = state.get(Cf.META, Keys.name(name));
        return raw == null ? 0 : Keys.readU64(raw, 0);
    }

    private static String text(StateReader state, String name) {
        byte[] raw = state.get(Cf.META, Keys.name(name));
        return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
    }
}
