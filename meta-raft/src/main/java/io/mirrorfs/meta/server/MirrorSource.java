package io.mirrorfs.meta.server;

import io.mirrorfs.api.client.MetaGroup;

/**
 * Where a mirror node's group follows from until its own state says otherwise (a FollowPrimaryOp's
 * primary_peers/primary_group take precedence; a PromoteOp stops following).
 *
 * @param regionName this mirror region's name: the {@code mirror_name} it follows (and acks) as
 * @param volume     the primary's volume name; the primary refuses a follower that names another
 * @param primary    the primary region's group (its nodes serve the changelog on Raft port + 1)
 */
public record MirrorSource(String regionName, String volume, MetaGroup primary) {
    public MirrorSource {
        if (regionName == null || regionName.isBlank()) {
            throw new IllegalArgumentException("a mirror needs its region name (the name it follows the primary as)");
        }
        if (volume == null || volume.isBlank()) {
            throw new IllegalArgumentException("a mirror needs the primary's volume name");
        }
        if (primary == null) {
            throw new IllegalArgumentException("a mirror needs the primary region's metadata peers");
        }
    }
}
