package io.mirrorfs.meta.server;

import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.MetaQuery;

/** Validation of a read request: a single query, or a batch envelope of single queries (see mirrorfs.proto). */
final class QueryBatches {
    private QueryBatches() {}

    /** Why this request cannot be answered, or null when it can. */
    static String whyInvalid(MetaQuery query) {
        int members = query.getBatchCount();
        if (members == 0) {
            return query.getQueryCase() == MetaQuery.QueryCase.QUERY_NOT_SET ? "MetaQuery carries no query" : null;
        }
        if (query.getQueryCase() != MetaQuery.QueryCase.QUERY_NOT_SET) {
            return "a MetaQuery batch envelope must not carry a query of its own";
        }
        if (members > RaftMetadataClient.READ_BATCH_QUERIES_MAX) {
            return "MetaQuery batch of " + members + " exceeds " + RaftMetadataClient.READ_BATCH_QUERIES_MAX;
        }
        for (int i = 0; i < members; i++) {
            MetaQuery member = query.getBatch(i);
            if (member.getBatchCount() > 0 || member.getQueryCase() == MetaQuery.QueryCase.QUERY_NOT_SET) {
                return "MetaQuery batch member " + i + " is a batch or carries no query";
            }
        }
        return null;
    }
}
