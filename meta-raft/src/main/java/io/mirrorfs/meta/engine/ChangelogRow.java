package io.mirrorfs.meta.engine;

/** One retained changelog entry: the primary's Raft index and the serialized {@code LogEntry}. */
public record ChangelogRow(long index, byte[] logEntry) {
    public ChangelogRow {
        assert index > 0 && logEntry != null;
    }
}
