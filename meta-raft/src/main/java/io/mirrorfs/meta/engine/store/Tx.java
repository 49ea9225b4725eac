package io.mirrorfs.meta.engine.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pending writes of one operation layered over a reader, so the operation reads its own writes.
 * Nothing reaches the database here: {@link #rows()} is the value the operation returns, and the
 * engine writes it (with appliedIndex) in one batch — or drops it when the operation fails.
 */
public final class Tx implements StateReader {
    private static final byte[] DELETED = new byte[0];

    private final StateReader base;
    private final Map<Cf, TreeMap<byte[], byte[]>> pending = new EnumMap<>(Cf.class);

    public Tx(StateReader base) {
        this.base = base;
    }

    public void put(Cf cf, byte[] key, byte[] value) {
        assert value != null;
        pending(cf).put(key, value.length == 0 ? new byte[0] : value);
    }

    public void delete(Cf cf, byte[] key) {
        pending(cf).put(key, DELETED);
    }

    /** Layers one row (a put, or a delete when its value is null) as put and delete would. */
    public void write(Row row) {
        if (row.value() == null) {
            delete(row.cf(), row.key());
        } else {
            put(row.cf(), row.key(), row.value());
        }
    }

    private TreeMap<byte[], byte[]> pending(Cf cf) {
        return pending.computeIfAbsent(cf, c -> new TreeMap<>(Arrays::compareUnsigned));
    }

    @Override
    public byte[] get(Cf cf, byte[] key) {
        TreeMap<byte[], byte[]> p = pending.get(cf);
        if (p != null && p.containsKey(key)) {
            byte[] v = p.get(key);
            return v == DELETED ? null : v;
        }
        return base.get(cf, key);
    }

    @Override
    public List<KeyValue> scan(Cf cf, byte[] prefix, byte[] after, int limit) {
        TreeMap<byte[], byte[]> p = pending.get(cf);
        if (p == null || p.isEmpty()) {
            return base.scan(cf, prefix, after, limit);
        }
        // Pending deletes may hide base rows, so ask the base for enough extra rows to cover them.
        int deletes = (int) p.values().stream().filter(v -> v == DELETED).count();
        TreeMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
        for (KeyValue kv : base.scan(cf, prefix, after, (int) Math.min(Integer.MAX_VALUE, (long) limit + deletes))) {
            merged.put(kv.key(), kv.value());
        }
        for (Map.Entry<byte[], byte[]> e : p.entrySet()) {
            byte[] key = e.getKey();
            if (!Keys.hasPrefix(key, prefix) || (after != null && Arrays.compareUnsigned(key, after) <= 0)) {
                continue;
            }
            if (e.getValue() == DELETED) {
                merged.remove(key);
            } else {
                merged.put(key, e.getValue());
            }
        }
        List<KeyValue> out = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : merged.entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(new KeyValue(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** The writes, in a deterministic order (family, then key). */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Cf, TreeMap<byte[], byte[]>> cf : pending.entrySet()) {
            for (Map.Entry<byte[], byte[]> e : cf.getValue().entrySet()) {
                rows.add(new Row(cf.getKey(), e.getKey(), e.getValue() == DELETED ? null : e.getValue()));
            }
        }
        return rows;
    }
}
