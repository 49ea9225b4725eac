package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.StateReader;
import io.mirrorfs.meta.engine.store.Tx;
import java.util.List;

/**
 * The replies of applied mutations by (client id, seq), so a retried mutation is answered, not
 * re-applied (Ratis's own retry cache expires). Bounded per client: a client keeps at most
 * {@link #SEQS_PER_CLIENT} seqs in flight, so rows more than that below the newest are evicted
 * at apply (a few per entry, deterministically, oldest first).
 */
public final class DedupTable {
    public static final int SEQS_PER_CLIENT = 1024;
    static final int EVICTIONS_PER_APPLY_MAX = 4;

    private DedupTable() {}

    public static MetaReply lookup(StateReader state, RequestId id) {
        byte[] raw = state.get(Cf.DEDUP, Keys.dedup(id.getClientId(), id.getSeq()));
        return raw == null ? null : OpContext.parse(MetaReply.parser(), raw);
    }

    public static void record(Tx tx, RequestId id, MetaReply reply) {
        tx.put(Cf.DEDUP, Keys.dedup(id.getClientId(), id.getSeq()), reply.toByteArray());
        List<KeyValue> oldest = tx.scan(Cf.DEDUP, Keys.u64(id.getClientId()), null, EVICTIONS_PER_APPLY_MAX);
        for (KeyValue kv : oldest) {
            long seq = Keys.readU64(kv.key(), 8);
            if (Long.compareUnsigned(seq + SEQS_PER_CLIENT, id.getSeq()) > 0) {
                break;
            }
            tx.delete(Cf.DEDUP, kv.key());
        }
    }
}
