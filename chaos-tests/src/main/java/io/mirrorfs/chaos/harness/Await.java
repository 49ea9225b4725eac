package io.mirrorfs.chaos.harness;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition with a deadline (never a fixed sleep); polls with a short back-off. */
public final class Await {
    private static final long POLL_MILLIS_MIN = 20;
    private static final long POLL_MILLIS_MAX = 500;

    private Await() {}

    public static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pollMillis = POLL_MILLIS_MIN;
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (IllegalStateException fatal) {
                throw fatal; // the condition says waiting is pointless (e.g. the process died)
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError timedOut = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
                if (last != null) {
                    timedOut.addSuppressed(last);
                }
                throw timedOut;
            }
            Thread.sleep(pollMillis);
            pollMillis = Math.min(POLL_MILLIS_MAX, pollMillis * 2);
        }
    }
}
