package io.mirrorfs.meta.engine.region;

import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.meta.engine.ops.MetaKeys;
import io.mirrorfs.meta.engine.ops.OpContext;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Row;
import io.mirrorfs.meta.engine.store.StateReader;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The reply of the last successful region op, by request id, in one {@code meta} row: a retried
 * Promote or Fence (lost reply, leader change) is answered, not refused by its own first success.
 * One row is enough: region ops are rare and an orchestrator sends them one at a time. Kept out of
 * the dedup family, which is namespace state a mirror must match byte for byte.
 */
public final class RegionOpRetries {
    private static final byte[] KEY = Keys.name(MetaKeys.REGION_OP_LAST);

    private RegionOpRetries() {}

    /** The stored reply if {@code id} is the last successful region op's, else null. */
    public static MetaReply lookup(StateReader state, RequestId id) {
        byte[] raw = state.get(Cf.META, KEY);
        if (raw == null || raw.length < 16) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (b.getLong() != id.getClientId() || b.getLong() != id.getSeq()) {
            return null;
        }
        return OpContext.parse(MetaReply.parser(), Arrays.copyOfRange(raw, 16, raw.length));
    }

    public static Row record(RequestId id, MetaReply reply) {
        byte[] body = reply.toByteArray();
        byte[] value = ByteBuffer.allocate(16 + body.length).putLong(id.getClientId()).putLong(id.getSeq()).put(body).array();
        return new Row(Cf.META, KEY, value);
    }
}
