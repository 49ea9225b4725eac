package io.mirrorfs.meta.engine.store;

import java.util.List;

/** Read access to the namespace state: the live database, a snapshot, or a transaction's view. */
public interface StateReader {
    /** The value under key, or null. */
    byte[] get(Cf cf, byte[] key);

    /**
     * Rows whose key starts with {@code prefix} and is strictly greater than {@code after} (null: from
     * the first), in unsigned key order, at most {@code limit} of them.
     */
    List<KeyValue> scan(Cf cf, byte[] prefix, byte[] after, int limit);
}
