package io.mirrorfs.meta.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.TrimChangelogOp;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Row;
import io.mirrorfs.meta.engine.store.StateReader;
import io.mirrorfs.meta.engine.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * The changelog family (DESIGN §4): rows the engine adds to an entry's own WriteBatch, so the
 * changelog can never disagree with the state, and the deterministic trim. Its size is kept in
 * {@code meta} rows (count, bytes, trimmed-below) so retention never has to scan it.
 */
final class ChangelogTable {
    /** A trim deletes at most this many rows per log entry; the trimmer proposes again until done. */
    static final int TRIM_ROWS_MAX = 4096;

    private static final byte[] COUNT = Keys.name(MetaKeys.CHANGELOG_COUNT);
    private static final byte[] BYTES = Keys.name(MetaKeys.CHANGELOG_BYTES);
    private static final byte[] TRIMMED_BELOW = Keys.name(MetaKeys.CHANGELOG_TRIMMED_BELOW);
    private static final byte[] LAST_INDEX = Keys.name(MetaKeys.CHANGELOG_LAST_INDEX);
    private static final byte[] EMPTY = new byte[0];

    private ChangelogTable() {}

    /**
     * The rows that retain {@code entry} at changelog index {@code index}: the Raft index plus the
     * group's offset on a primary, the primary's index on a mirror. Indexes only increase.
     */
    static List<Row> append(StateReader state, long index, LogEntry entry) {
        assert index > u64(state, LAST_INDEX) : "changelog index " + index + " not above " + u64(state, LAST_INDEX);
        byte[] value = entry.toByteArray();
        return List.of(
                new Row(Cf.CHANGELOG, Keys.changelog(index), value),
                new Row(Cf.META, LAST_INDEX, Keys.u64(index)),
                new Row(Cf.META, COUNT, Keys.u64(u64(state, COUNT) + 1)),
                new Row(Cf.META, BYTES, Keys.u64(u64(state, BYTES) + rowBytes(value))));
    }

    /**
     * The rows of a trim: deletes entries below {@code op.below_index} (never past the newest entry,
     * at most {@link #TRIM_ROWS_MAX}) and moves trimmed-below past them. Bounded by the changelog's
     * own last index, not the Raft index: on a mirror the changelog is keyed by the primary's indexes.
     */
    static List<Row> trim(StateReader state, TrimChangelogOp op) {
        long below = Math.min(op.getBelowIndex(), u64(state, LAST_INDEX) + 1);
        List<KeyValue> doomed = state.scan(Cf.CHANGELOG, EMPTY, null, TRIM_ROWS_MAX);
        List<Row> rows = new ArrayList<>();
        long freedBytes = 0;
        long lastDeleted = 0;
        for (KeyValue kv : doomed) {
            long at = Keys.readU64(kv.key(), 0);
            if (at >= below) {
                break;
            }
            rows.add(new Row(Cf.CHANGELOG, kv.key(), null));
            freedBytes += rowBytes(kv.value());
            lastDeleted = at;
        }
        // Complete when we stopped at `below` (or ran out); else only up to what was deleted.
        boolean complete = rows.size() < doomed.size() || doomed.size() < TRIM_ROWS_MAX;
        long newTrimmedBelow = Math.max(u64(state, TRIMMED_BELOW), complete ? below : lastDeleted + 1);
        long count = u64(state, COUNT) - rows.size();
        long bytes = u64(state, BYTES) - freedBytes;
        assert count >= 0 && bytes >= 0 : "changelog accounting went negative";
        rows.add(new Row(Cf.META, COUNT, Keys.u64(count)));
        rows.add(new Row(Cf.META, BYTES, Keys.u64(bytes)));
        rows.add(new Row(Cf.META, TRIMMED_BELOW, Keys.u64(newTrimmedBelow)));
        return rows;
    }

    static ChangelogStats stats(StateReader state, long appliedIndex) {
        List<KeyValue> first = state.scan(Cf.CHANGELOG, EMPTY, null, 1);
        long firstIndex = first.isEmpty() ? 0 : Keys.readU64(first.get(0).key(), 0);
        long oldestTimeNs = first.isEmpty() ? 0 : parse(firstIndex, first.get(0).value()).getTimeNs();
        return new ChangelogStats(appliedIndex, u64(state, LAST_INDEX), firstIndex, u64(state, TRIMMED_BELOW), u64(state, COUNT),
                u64(state, BYTES), oldestTimeNs);
    }

    /** Entries with index >= fromIndex in order; at most entriesMax, and stops after bytesMax is passed. */
    static List<ChangelogRow> read(StateReader state, long fromIndex, int entriesMax, long bytesMax) {
        assert entriesMax > 0 && bytesMax > 0;
        byte[] after = fromIndex <= 0 ? null : Keys.changelog(fromIndex - 1);
        List<ChangelogRow> out = new ArrayList<>();
        long bytes = 0;
        for (KeyValue kv : state.scan(Cf.CHANGELOG, EMPTY, after, entriesMax)) {
            out.add(new ChangelogRow(Keys.readU64(kv.key(), 0), kv.value()));
            bytes += kv.value().length;
            if (bytes >= bytesMax) {
                break;
            }
        }
        return out;
    }

    static LogEntry parse(long index, byte[] value) {
        try {
            return LogEntry.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new StoreException("changelog entry " + index + " does not parse", e);
        }
    }

    private static long rowBytes(byte[] value) {
        return Long.BYTES + value.length;
    }

    private static long u64(StateReader state, byte[] key) {
        byte[] raw = state.get(Cf.META, key);
        return raw == null ? 0 : Keys.readU64(raw, 0);
    }
}
