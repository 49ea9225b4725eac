package io.mirrorfs.sync;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.wrap.InterceptingStore;
import io.mirrorfs.store.wrap.Op;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts successful puts per key, to prove no block is copied twice. */
final class CountingStore extends InterceptingStore {
    final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();

    CountingStore(ObjectStore inner) {
        super(inner);
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        T result = call.run();
        if (op == Op.PUT) {
            puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
        return result;
    }

    @Override
    public void close() {
        // The test owns the inner store.
    }
}
