package io.mirrorfs.meta.engine;

/**
 * The changelog's extent at one applied index. {@code firstIndex} is 0 when it is empty;
 * {@code trimmedBelow}: every entry below it is gone (a follower asking for less must bootstrap);
 * {@code oldestTimeNs}: the leader time of the oldest retained entry (0 when empty);
 * {@code lastIndex}: the newest changelog index this group holds (0 when none yet): on a primary its
 * last kept entry, on a mirror the primary index it applied last.
 */
public record ChangelogStats(long appliedIndex, long lastIndex, long firstIndex, long trimmedBelow, long entryCount, long bytes,
                             long oldestTimeNs) {}
