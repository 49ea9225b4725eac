package io.mirrorfs.sync;

/**
 * A block that keeps failing: retried apart with its own backoff while later blocks carry on, and
 * holding the watermark below its primary index until it heals.
 */
public record PoisonBlock(String key, long primaryIndex, String lastError, int attempts, long sinceMillis) {}
