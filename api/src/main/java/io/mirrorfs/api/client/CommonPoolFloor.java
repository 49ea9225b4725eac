package io.mirrorfs.api.client;

/**
 * Gives the JVM's common fork-join pool at least {@link #PARALLELISM_MIN} workers. Ratis and gRPC run
 * some blocking work on that pool (a channel's graceful shutdown waits up to seconds for a peer), and
 * on a 2-core machine the pool has a single worker: one unreachable-but-open peer (a SIGSTOPped or
 * partitioned node) then stalls every other async completion in the process — the failover drill's
 * partition scenario timed out reading a healthy region's state because of it. Call first thing in
 * {@code main}, before anything touches the pool; an explicit
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} wins.
 */
public final class CommonPoolFloor {
    public static final int PARALLELISM_MIN = 8;
    private static final String PROPERTY = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private CommonPoolFloor() {}

    public static void ensure() {
        if (System.getProperty(PROPERTY) == null) {
            int cores = Runtime.getRuntime().availableProcessors();
            System.setProperty(PROPERTY, Integer.toString(Math.max(PARALLELISM_MIN, cores - 1)));
        }
    }
}
