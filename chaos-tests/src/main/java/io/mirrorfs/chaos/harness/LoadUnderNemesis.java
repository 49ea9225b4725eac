package io.mirrorfs.chaos.harness;

import io.mirrorfs.chaos.nemesis.Nemesis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The middle of every chaos test: workload threads run until the load's end while the nemesis runs its
 * schedule; then the nemesis is stopped and every fault healed — also when a thread or the wait
 * failed, so the checks after it always see a healed cluster.
 */
public final class LoadUnderNemesis {
    /** One workload thread: {@code thread} is its number, {@code random} its seeded source, {@code stop} says when to end. */
    @FunctionalInterface
    public interface Worker {
        void run(int thread, Random random, BooleanSupplier stop) throws Exception;
    }

    private LoadUnderNemesis() {}

    /**
     * Runs {@code workers} (thread t seeded with {@code seed * 1_000_003 + t}) for {@code seconds}
     * alongside {@code nemesis}; returns the first workload failure, or null.
     *
     * @param threadWaitSlack how long past the load's end a worker may take to finish
     * @param healTimeout     how long the nemesis may take to stop and heal
     */
    public static Throwable run(Nemesis nemesis, long seed, List<Worker> workers, long seconds, Duration threadWaitSlack,
                                Duration healTimeout) throws Exception {
        long endOfLoad = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        BooleanSupplier stop = () -> System.nanoTime() > endOfLoad;
        ExecutorService threads = Executors.newFixedThreadPool(workers.size() + 1);
        AtomicReference<Throwable> workloadFailure = new AtomicReference<>();
        try {
            Future<?> nemesisRun = threads.submit(nemesis);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < workers.size(); t++) {
                int thread = t;
                Worker worker = workers.get(t);
                Random random = new Random(seed * 1_000_003L + t);
                running.add(threads.submit(() -> {
                    try {
                        worker.run(thread, random, stop);
                    } catch (Throwable e) {
                        workloadFailure.compareAndSet(null, e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(seconds + threadWaitSlack.toSeconds(), TimeUnit.SECONDS);
            }
            nemesis.stop();
            nemesisRun.get(healTimeout.toSeconds() + 60, TimeUnit.SECONDS);
        } finally {
            nemesis.stop();
            nemesis.healAll();
            threads.shutdownNow();
            threads.awaitTermination(60, TimeUnit.SECONDS);
        }
        return workloadFailure.get();
    }
}
