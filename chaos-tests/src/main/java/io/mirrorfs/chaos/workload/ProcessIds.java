package io.mirrorfs.chaos.workload;

/** Jepsen-style process ids: thread t's g-th incarnation is t + THREADS_MAX * g. */
final class ProcessIds {
    static final int THREADS_MAX = 1000;

    private ProcessIds() {}

    static int of(int thread, int generation) {
        if (thread < 0 || thread >= THREADS_MAX) {
            throw new IllegalArgumentException("thread out of range: " + thread);
        }
        return thread + THREADS_MAX * generation;
    }
}
