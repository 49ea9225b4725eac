package io.mirrorfs.meta.changelog;

import java.util.List;

/**
 * A trim the leader should propose: drop entries below {@code belowIndex}. {@code mirrorsToBootstrap}
 * lists registered mirrors whose acknowledged index falls below it (only when a hard cap forced it).
 */
public record TrimDecision(long belowIndex, String reason, List<String> mirrorsToBootstrap) {
    public TrimDecision {
        mirrorsToBootstrap = List.copyOf(mirrorsToBootstrap);
    }
}
