package io.mirrorfs.meta.engine;

/**
 * The changelog's extent at one applied index. {@code firstIndex} is 0 when it is empty;
 * {@code trimmedBelow}: every entry below it is gone (a follower asking for less must bootstrap);
 * {@code oldestTimeNs}: the leader time of the oldest retained entry (0 when empty).
 */
public record ChangelogStats(long appliedIndex, long firstIndex, long trimmedBelow, long entryCount, long bytes,
                             long oldestTimeNs) {}
