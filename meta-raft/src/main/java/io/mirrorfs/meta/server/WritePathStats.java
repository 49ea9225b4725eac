package io.mirrorfs.meta.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a metadata node's time goes, per stage, since the last {@link #drain()}. The stages split a
 * write's latency as the leader sees it: {@code commit} is from the leader's prepare
 * ({@code startTransaction}) to its apply (log append, replication, quorum fsync and the wait for the
 * state-machine updater); {@code apply} is the engine's apply of one entry; {@code query} one read
 * against the engine. What a client measures beyond commit + apply is transport and queueing.
 */
final class WritePathStats {
    final StageLatency commit = new StageLatency("commit");
    final StageLatency apply = new StageLatency("apply");
    final StageLatency query = new StageLatency("query");

    /** The stages that saw samples since the last call, as log-ready text. */
    List<String> drain() {
        List<String> lines = new ArrayList<>();
        for (StageLatency stage : List.of(commit, apply, query)) {
            StageLatency.Summary s = stage.drain();
            if (s != null) {
                lines.add(Objects.toString(s));
            }
        }
        return lines;
    }
}
