package io.mirrorfs.chaos.check;

/**
 * One completed read on a mirror region: its MirrorState (read first) and then the counter register's
 * value, both through the mirror group's leader (read-index), between {@code invokeNanos} and
 * {@code completeNanos}.
 *
 * @param counter the register's value, 0 if not yet written
 */
public record MirrorRead(int process, long invokeNanos, long completeNanos, long primaryIndex, long dataWatermark,
                         long counter) {
    public MirrorRead {
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("read completes before it is invoked");
        }
    }
}
