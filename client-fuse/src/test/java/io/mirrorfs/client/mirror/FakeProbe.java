package io.mirrorfs.client.mirror;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A progress source for gate tests: answers with {@link #index} (immediately, or held until
 * {@link #releaseAll} when {@link #hold} is set), counts calls, and may run an action per call
 * (e.g. advance a fake clock or the index).
 */
final class FakeProbe implements Supplier<CompletableFuture<Long>> {
    final AtomicLong index = new AtomicLong();
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean hold;
    volatile Runnable onCall = () -> {};
    private final List<CompletableFuture<Long>> held = new ArrayList<>();

    @Override
    public CompletableFuture<Long> get() {
        calls.incrementAndGet();
        onCall.run();
        if (hold) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            synchronized (held) {
                held.add(f);
            }
            return f;
        }
        return CompletableFuture.completedFuture(index.get());
    }

    /** Completes every held call with the current index. */
    void releaseAll() {
        List<CompletableFuture<Long>> now;
        synchronized (held) {
            now = new ArrayList<>(held);
            held.clear();
        }
        now.forEach(f -> f.complete(index.get()));
    }

    int heldCount() {
        synchronized (held) {
            return held.size();
        }
    }
}
