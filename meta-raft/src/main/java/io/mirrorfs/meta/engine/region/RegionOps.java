package io.mirrorfs.meta.engine.region;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FollowPrimaryOp;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.PromoteOp;
import io.mirrorfs.api.proto.SetDataWatermarkOp;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.region.RegionState.Role;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Apply of the region ops (SetDataWatermark, Fence, Promote, FollowPrimary): deterministic, from the
 * group's {@link RegionState} and the op alone. They change only {@code meta} rows, never the
 * namespace, so they write no dedup row (a mirror's namespace must stay byte-equal to its primary's);
 * a refusal is an errno with no rows.
 */
public final class RegionOps {
    private RegionOps() {}

    /**
     * @param rows            meta rows to write (empty when refused or a no-op)
     * @param reply           the reply (index and changelog index still to be set by the engine)
     * @param keptInChangelog the entry goes into this group's changelog at {@code changelogIndex}
     */
    public record Result(List<Row> rows, MetaReply.Builder reply, boolean keptInChangelog, long changelogIndex) {
        static Result refused(Errno errno) {
            return new Result(List.of(), MetaReply.newBuilder().setErrno(errno.code()), false, 0);
        }

        static Result noChange(RegionState state) {
            return new Result(List.of(), MetaReply.newBuilder().setMirrorState(state.toProto()), false, 0);
        }
    }

    public static boolean isRegionOp(MetaRequest.OpCase op) {
        return switch (op) {
            case SET_DATA_WATERMARK, FENCE, PROMOTE, FOLLOW_PRIMARY -> true;
            default -> false;
        };
    }

    public static Result apply(RegionState state, long raftIndex, MetaRequest request) {
        return switch (request.getOpCase()) {
            case SET_DATA_WATERMARK -> setDataWatermark(state, request.getSetDataWatermark());
            case FENCE -> fence(state, raftIndex, request.getFence());
            case PROMOTE -> promote(state, raftIndex, request.getPromote());
            case FOLLOW_PRIMARY -> followPrimary(state, request.getFollowPrimary());
            default -> throw new AssertionError("not a region op: " + request.getOpCase());
        };
    }

    /** Mirror-sync's progress: only increases; a lower or equal value is a successful no-op. */
    static Result setDataWatermark(RegionState state, SetDataWatermarkOp op) {
        if (state.role() == Role.PRIMARY) {
            return Result.refused(Errno.EROFS); // a primary has every block: it has no watermark to keep
        }
        if (state.role() == Role.UNSET) {
            return Result.refused(Errno.ENODEV);
        }
        if (op.getDataWatermark() <= state.dataWatermark()) {
            return Result.noChange(state);
        }
        RegionState after = with(state, b -> b.dataWatermark = op.getDataWatermark());
        return changed(after, List.of(RegionState.u64Row(MetaKeys.DATA_WATERMARK, op.getDataWatermark())), false, 0);
    }

    /** Planned failover step 1: the primary of {@code epoch} stops accepting client mutations. */
    static Result fence(RegionState state, long raftIndex, FenceOp op) {
        if (!state.formatted()) {
            return Result.refused(Errno.ENODEV);
        }
        if (state.role() != Role.PRIMARY) {
            return Result.refused(Errno.EROFS);
        }
        if (op.getEpoch() != state.epoch()) {
            return Result.refused(Errno.ESTALE);
        }
        if (state.fenced()) {
            return Result.noChange(state);
        }
        RegionState after = with(state, b -> b.fenced = true);
        return changed(after, List.of(RegionState.u64Row(MetaKeys.FENCED, 1)), true, state.changelogIndexOf(raftIndex));
    }

    /**
     * Makes this mirror the primary of {@code new_epoch}. The offset makes every changelog index it
     * assigns from now on, this entry's first, greater than the primary index it applied, so its own
     * mirrors see one increasing index space across the epochs.
     */
    static Result promote(RegionState state, long raftIndex, PromoteOp op) {
        if (!state.formatted()) {
            return Result.refused(Errno.ENODEV);
        }
        if (state.role() != Role.MIRROR) {
            return Result.refused(Errno.EINVAL);
        }
        if (op.getNewEpoch() <= state.epoch()) {
            return Result.refused(Errno.ESTALE);
        }
        long offset = Math.max(0, state.primaryIndex() + 1 - raftIndex);
        long changelogIndex = raftIndex + offset;
        RegionState after = with(state, b -> {
            b.role = Role.PRIMARY;
            b.epoch = op.getNewEpoch();
            b.fenced = false;
            b.changelogOffset = offset;
            b.promotedAtIndex = state.primaryIndex();
            b.primaryRegion = op.getRegion();
            b.primaryPeers = "";
            b.primaryGroup = "";
        });
        List<Row> rows = List.of(
                RegionState.roleRow(Role.PRIMARY),
                RegionState.u64Row(MetaKeys.EPOCH, op.getNewEpoch()),
                RegionState.u64Row(MetaKeys.FENCED, 0),
                RegionState.u64Row(MetaKeys.CHANGELOG_OFFSET, offset),
                RegionState.u64Row(MetaKeys.PROMOTED_AT_INDEX, state.primaryIndex()),
                RegionState.textRow(MetaKeys.PRIMARY_REGION, op.getRegion()),
                delete(MetaKeys.PRIMARY_PEERS),
                delete(MetaKeys.PRIMARY_GROUP));
        return changed(after, rows, true, changelogIndex);
    }

    /**
     * Makes this group a mirror of another region's primary. A live primary must be fenced first. If
     * this group holds changelog entries past {@code resume_after_index} they are divergent (written
     * after the new primary was promoted): the group is marked bootstrap-required, so no primary entry
     * is applied over them until a bootstrap replaces the namespace.
     */
    static Result followPrimary(RegionState state, FollowPrimaryOp op) {
        if (op.getEpoch() == 0 || op.getPrimaryRegion().isEmpty() || !validPeers(op)) {
            return Result.refused(Errno.EINVAL);
        }
        if (state.role() == Role.PRIMARY && !state.fenced()) {
            return Result.refused(Errno.EBUSY);
        }
        if (op.getEpoch() < state.epoch()) {
            return Result.refused(Errno.ESTALE);
        }
        boolean divergent = state.changelogLastIndex() > op.getResumeAfterIndex();
        RegionState after = with(state, b -> {
            b.role = Role.MIRROR;
            b.epoch = op.getEpoch();
            b.fenced = false;
            b.primaryIndex = op.getResumeAfterIndex();
            b.primaryRegion = op.getPrimaryRegion();
            b.primaryPeers = op.getPrimaryPeers();
            b.primaryGroup = op.getPrimaryGroup();
            b.bootstrapRequired = divergent || state.bootstrapRequired();
        });
        List<Row> rows = new ArrayList<>(List.of(
                RegionState.roleRow(Role.MIRROR),
                RegionState.u64Row(MetaKeys.EPOCH, op.getEpoch()),
                RegionState.u64Row(MetaKeys.FENCED, 0),
                RegionState.u64Row(MetaKeys.PRIMARY_INDEX, op.getResumeAfterIndex()),
                RegionState.textRow(MetaKeys.PRIMARY_REGION, op.getPrimaryRegion()),
                RegionState.textRow(MetaKeys.PRIMARY_PEERS, op.getPrimaryPeers()),
                RegionState.textRow(MetaKeys.PRIMARY_GROUP, op.getPrimaryGroup())));
        if (after.bootstrapRequired()) {
            rows.add(RegionState.u64Row(MetaKeys.BOOTSTRAP_REQUIRED, 1));
        }
        // Not kept in the changelog: from here on this group's changelog is in the new primary's index
        // space (it resumes after resume_after_index), where this entry has no index of its own.
        return changed(after, rows, false, 0);
    }

    private static boolean validPeers(FollowPrimaryOp op) {
        if (op.getPrimaryPeers().isEmpty()) {
            return op.getPrimaryGroup().isEmpty();
        }
        try {
            MetaGroup.parse(op.getPrimaryGroup().isEmpty() ? MetaGroup.DEFAULT_NAME : op.getPrimaryGroup(),
                    op.getPrimaryPeers());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Result changed(RegionState after, List<Row> rows, boolean kept, long changelogIndex) {
        return new Result(rows, MetaReply.newBuilder().setMirrorState(after.toProto()), kept, changelogIndex);
    }

    private static Row delete(String name) {
        return new Row(Cf.META, Keys.name(name), null);
    }

    /** A mutable copy, for the few fields an op changes. */
    private static final class Builder {
        Role role;
        long epoch;
        boolean fenced;
        long primaryIndex;
        long dataWatermark;
        long changelogOffset;
        long promotedAtIndex;
        String primaryRegion;
        String primaryPeers;
        String primaryGroup;
        boolean bootstrapRequired;
    }

    private static RegionState with(RegionState s, java.util.function.Consumer<Builder> change) {
        Builder b = new Builder();
        b.role = s.role();
        b.epoch = s.epoch();
        b.fenced = s.fenced();
        b.primaryIndex = s.primaryIndex();
        b.dataWatermark = s.dataWatermark();
        b.changelogOffset = s.changelogOffset();
        b.promotedAtIndex = s.promotedAtIndex();
        b.primaryRegion = s.primaryRegion();
        b.primaryPeers = s.primaryPeers();
        b.primaryGroup = s.primaryGroup();
        b.bootstrapRequired = s.bootstrapRequired();
        change.accept(b);
        return new RegionState(b.role, s.formatted(), b.epoch, b.fenced, b.primaryIndex, b.dataWatermark,
                b.changelogOffset, s.changelogLastIndex(), s.primaryTimeNs(), b.primaryRegion, b.primaryPeers,
                b.primaryGroup, b.promotedAtIndex, b.bootstrapRequired);
    }
}
