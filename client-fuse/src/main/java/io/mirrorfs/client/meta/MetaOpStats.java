package io.mirrorfs.client.meta;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts and total latency of metadata round trips per operation kind (CREATE, COMMIT_SLICE,
 * LOOKUP …). Cheap enough to stay on: two LongAdders per kind. The mount prints a summary when it
 * is closed, which is how the benchmark learns where a small file's time goes.
 */
public final class MetaOpStats {
    private static final int KINDS_MAX = 64; // protobuf op and query cases: a few dozen

    private record Counter(LongAdder calls, LongAdder nanos) {}

    private final ConcurrentHashMap<String, Counter> byKind = new ConcurrentHashMap<>();

    void record(String kind, long nanos) {
        Counter c = byKind.get(kind);
        if (c == null) {
            if (byKind.size() >= KINDS_MAX) {
                kind = "OTHER";
            }
            c = byKind.computeIfAbsent(kind, k -> new Counter(new LongAdder(), new LongAdder()));
        }
        c.calls().increment();
        c.nanos().add(nanos);
    }

    /** Calls per kind, sorted by name. */
    public Map<String, Long> calls() {
        Map<String, Long> out = new TreeMap<>();
        byKind.forEach((k, c) -> out.put(k, c.calls().sum()));
        return out;
    }

    /** One line: {@code KIND calls=N avgMs=X totalMs=Y; ...}, the most expensive kind first. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        byKind.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().nanos().sum(), a.getValue().nanos().sum()))
                .forEach(e -> {
                    long n = e.getValue().calls().sum();
                    long ns = e.getValue().nanos().sum();
                    s.append(String.format("%s calls=%d avgMs=%.2f totalMs=%d; ", e.getKey(), n,
                            n == 0 ? 0.0 : ns / 1e6 / n, ns / 1_000_000));
                });
        return s.length() == 0 ? "no metadata calls" : s.toString();
    }
}
