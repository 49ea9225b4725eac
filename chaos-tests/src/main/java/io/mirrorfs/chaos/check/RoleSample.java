package io.mirrorfs.chaos.check;

/**
 * One region's failover state as it answered in one sampling round.
 *
 * @param round which round (regions are asked one after the other within a round, in a fixed order)
 * @param nanos {@link System#nanoTime()} when the answer came
 */
public record RoleSample(int round, long nanos, String region, String role, long epoch, boolean fenced) {
    /** Accepts client mutations: the unfenced primary. */
    public boolean writable() {
        return "PRIMARY".equals(role) && !fenced;
    }
}
