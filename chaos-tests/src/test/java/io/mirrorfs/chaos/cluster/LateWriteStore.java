package io.mirrorfs.chaos.cluster;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.wrap.InterceptingStore;
import io.mirrorfs.store.wrap.Op;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * DELIBERATELY BROKEN, test scope only: a target store whose put reports success at once and writes
 * the object a while later. Under it the sync service believes each block copied and commits the data
 * watermark before the copy has landed — the "watermark committed before copying" bug. The chaos
 * checkers must catch it: {@code BrokenSyncDetectionTest}.
 */
final class LateWriteStore extends InterceptingStore {
    /** Long enough that the detection test ends (and checks) before any write lands. */
    private static final long DELAY_SECONDS = 600;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("late-writes").factory());

    LateWriteStore(ObjectStore inner) {
        super(inner);
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        if (op != Op.PUT) {
            return call.run();
        }
        later.schedule(() -> {
            call.run();
            return null;
        }, DELAY_SECONDS, TimeUnit.SECONDS);
        return null; // "stored"
    }

    @Override
    public void close() throws IOException {
        later.shutdownNow();
        super.close();
    }
}
