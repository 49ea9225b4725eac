package io.mirrorfs.meta.mirror;

/**
 * What a {@link MirrorFollower} reports (for {@code mirrorfs status} and metrics).
 *
 * @param phase                 what the follower is doing
 * @param connected             a Follow stream to the primary is open
 * @param primaryIndexFollowed  the highest primary index the mirror group is known to have applied
 * @param primaryLastIndex      the newest primary index seen (stream entries and Ack replies)
 * @param lagIndexes            primaryLastIndex - primaryIndexFollowed (in primary log indexes: an
 *                              upper bound on entries, as not every index is a changelog entry)
 * @param proposalsApplied      MirroredOps the mirror group applied from this follower
 * @param proposalsRefused      MirroredOps the mirror refused (chain broken: duplicate or reordered)
 * @param divergentReplies      primary entries that failed on the mirror with an errno although they
 *                              succeeded on the primary: the namespaces differ, an operator must look
 * @param lastError             the last failure, or null
 * @param lagMillis             age (by the primary's entry time) of the oldest primary entry received but
 *                              not yet applied here, 0 when caught up; when the primary has not
 *                              answered for over two ack intervals, at least the time since it last did
 */
public record MirrorFollowerStatus(Phase phase, boolean connected, long primaryIndexFollowed, long primaryLastIndex,
                                   long lagIndexes, long proposalsApplied, long proposalsRefused,
                                   long divergentReplies, String lastError, long lagMillis) {

    public enum Phase {
        /** Not started, or closed. */
        STOPPED,
        /** Asking the mirror group where it is and opening the Follow stream. */
        CONNECTING,
        /** Streaming and proposing. */
        FOLLOWING,
        /** Waiting before the next attempt after a failure. */
        BACKING_OFF,
        /** Copying the primary's namespace through this group's log (then following resumes). */
        BOOTSTRAPPING,
        /**
         * The primary has trimmed entries this mirror still needs (or this group holds divergent
         * entries): bootstrap from a snapshot. Final for a follower without a bootstrapper; with one,
         * the state between a failed bootstrap and the next attempt.
         */
        BOOTSTRAP_NEEDED
    }
}
