package io.mirrorfs.chaos.history;

import java.util.Objects;

/**
 * One completed entry of a history: what a client process invoked, when, and how it ended.
 *
 * @param id dense id in invocation order (0, 1, 2, ...), unique within one history
 * @param process the client process (thread) that ran it; one process runs one operation at a time
 * @param value the written/added value for writes, the observed value for OK reads (null = absent)
 * @param invokeNanos {@link System#nanoTime()} when the call was made
 * @param completeNanos when the answer came; for {@link Outcome#INFO} when the client gave up (the op
 *     may still take effect later, checkers treat its end as unbounded)
 * @param error why it failed or is unknown; null for OK
 */
public record Operation(int id, int process, OpType type, String key, String value, long invokeNanos,
                        long completeNanos, Outcome outcome, String error) {

    public Operation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(outcome, "outcome");
        if (id < 0 || process < 0) {
            throw new IllegalArgumentException("negative id or process: " + id + ", " + process);
        }
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("op " + id + " completes before it is invoked");
        }
    }

    public long latencyNanos() {
        return completeNanos - invokeNanos;
    }

    /** A short human form: {@code #12 p3 WRITE k1=v7 OK}. */
    public String describe() {
        String v = type == OpType.READ && outcome != Outcome.OK ? "?" : String.valueOf(value);
        String sep = type == OpType.READ ? "->" : "=";
        return "#" + id + " p" + process + " " + type + " " + key + sep + v + " " + outcome
                + (error != null ? " (" + error + ")" : "");
    }
}
