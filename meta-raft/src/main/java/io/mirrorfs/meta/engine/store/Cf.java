package io.mirrorfs.meta.engine.store;

import java.nio.charset.StandardCharsets;

/** The column families of the namespace state; the layout of each is in meta-raft/ENGINE.md. */
public enum Cf {
    INODES("inodes"),
    DENTRIES("dentries"),
    CHUNKS("chunks"),
    SYMLINKS("symlinks"),
    XATTRS("xattrs"),
    COUNTERS("counters"),
    SESSIONS("sessions"),
    LOCKS("locks"),
    DELAYED("delayed_deletions"),
    DEDUP("dedup"),
    META("meta"),
    /** Primary only: applied LogEntry bytes keyed by Raft index, streamed to mirrors (meta.changelog). */
    CHANGELOG("changelog");

    private final String columnName;

    Cf(String columnName) {
        this.columnName = columnName;
    }

    public String columnName() {
        return columnName;
    }

    public byte[] nameBytes() {
        return columnName.getBytes(StandardCharsets.UTF_8);
    }
}
