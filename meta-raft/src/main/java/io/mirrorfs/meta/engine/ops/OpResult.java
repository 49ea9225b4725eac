package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.meta.engine.store.Row;
import java.util.List;

/** What applying one entry produces: the rows to write (none when refused) and the reply. */
public record OpResult(List<Row> rows, MetaReply reply) {
    public OpResult {
        rows = List.copyOf(rows);
        assert reply.getErrno() == 0 || rows.isEmpty() : "a refused operation must not write";
    }
}
