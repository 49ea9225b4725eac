package io.mirrorfs.sync;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.wrap.InterceptingStore;
import io.mirrorfs.store.wrap.Op;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Holds every put until {@link #open()} (bounded: fails after a minute), so a test can look at work in flight. */
final class GatedStore extends InterceptingStore {
    private final CountDownLatch gate = new CountDownLatch(1);

    GatedStore(ObjectStore inner) {
        super(inner);
    }

    void open() {
        gate.countDown();
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        if (op == Op.PUT) {
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("gate not opened within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted at the gate");
            }
        }
        return call.run();
    }

    @Override
    public void close() {
        // The test owns the inner store.
    }
}
