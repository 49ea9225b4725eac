package io.mirrorfs.meta.changelog;

import java.time.Duration;

/**
 * How much changelog the primary keeps (DESIGN §4). Entries older than {@code ageMax}, or beyond
 * {@code entriesMax}/{@code bytesMax}, may go — but never past the slowest registered mirror's
 * acknowledged index, unless the changelog is over a hard cap: then that mirror must bootstrap from a
 * snapshot, and the trim says so.
 */
public record RetentionPolicy(Duration ageMax, long entriesMax, long bytesMax, long hardEntriesMax, long hardBytesMax) {
    public RetentionPolicy {
        if (ageMax.isNegative() || ageMax.isZero() || entriesMax < 1 || bytesMax < 1
                || hardEntriesMax < entriesMax || hardBytesMax < bytesMax) {
            throw new IllegalArgumentException("bad retention policy (hard caps must be >= soft caps): " + this);
        }
    }

    /** A week, a million entries or 1 GiB; hard caps at 10 million entries or 8 GiB. */
    public static RetentionPolicy defaults() {
        return new RetentionPolicy(Duration.ofDays(7), 1_000_000, 1L << 30, 10_000_000, 8L << 30);
    }
}
