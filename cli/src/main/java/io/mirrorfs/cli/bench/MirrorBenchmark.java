package io.mirrorfs.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code mirrorfs bench mirror}: issue #5's targets measured on a primary and a mirror region in this
 * JVM ({@link BenchRegions}) with an injected one-way delay between them. A paced write load runs on
 * the primary ({@link WriteLoad}); the mirror's state is sampled every {@link #POLL_MILLIS} ms
 * ({@link MirrorStatePoller}) to measure, per primary changelog index, the metadata lag and the data
 * watermark lag ({@link LagTracker}); R readers measure linearizable mirror reads and the primary
 * round trips they cost ({@link LinearizableReaders}). Progress every few seconds, a summary at the
 * end. After the load stops the mirror gets up to {@link #DRAIN_WAIT} to catch up, so the last
 * writes' lags are measured rather than dropped; what it still lacks is reported as pending.
 */
public final class MirrorBenchmark {
    static final long POLL_MILLIS = 10;
    static final Duration DRAIN_WAIT = Duration.ofSeconds(60);
    private static final String DIR_PREFIX = "mirrorfs-bench-mirror-";

    private final MirrorBenchConfig config;
    private final double metaOpsPerSecond;
    private final PrintStream out;

    /** @param metaOpsPerSecond small metadata operations per second on the primary in total (0 = closed loop) */
    public MirrorBenchmark(MirrorBenchConfig config, double metaOpsPerSecond, PrintStream out) {
        if (metaOpsPerSecond < 0 || Double.isNaN(metaOpsPerSecond)) {
            throw new IllegalArgumentException("--meta-ops must be >= 0 (0 = as fast as the writers can)");
        }
        this.config = config;
        this.metaOpsPerSecond = metaOpsPerSecond;
        this.out = out;
    }

    /** Runs in a fresh folder under {@code parent} (an existing directory), deleted at the end. */
    public MirrorBenchResult run(Path parent) throws Exception {
        if (!Files.isDirectory(parent)) {
            throw new IllegalArgumentException("--data must be an existing directory: " + parent);
        }
        Path dir = Files.createTempDirectory(parent, DIR_PREFIX);
        MirrorBenchResult result;
        try {
            result = runIn(dir);
        } catch (Exception e) {
            try {
                deleteTree(dir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        deleteTree(dir);
        return result;
    }

    private MirrorBenchResult runIn(Path dir) throws Exception {
        out.println("mirrorfs bench mirror: " + config.describe() + ", small metadata ops "
                + (metaOpsPerSecond == 0 ? "closed loop" : String.format(Locale.ROOT, "%.0f/s", metaOpsPerSecond)));
        out.println("starting a primary and a mirror region in " + dir + " ...");
        out.flush();
        LagTracker metadataLag = new LagTracker();
        LagTracker dataLag = new LagTracker();
        try (BenchRegions regions = BenchRegions.start(dir, config);
             MirrorStatePoller poller = new MirrorStatePoller(regions.mirrorClient, metadataLag, dataLag, POLL_MILLIS)) {
            LinearizableReaders readers = config.readers() == 0 ? null : new LinearizableReaders(regions.mirrorGroup,
                    regions.primaryGroup, BenchRegions.PRIMARY, config.oneWayDelay(), config.readers());
            try {
                WriteLoad load = new WriteLoad(regions.primaryClient, regions.primaryStore, config, metaOpsPerSecond,
                        metadataLag, dataLag);
                long start;
                WriteLoad.Counts before;
                try {
                    warmUp();
                    metadataLag.reset();
                    dataLag.reset();
                    if (readers != null) {
                        readers.reset();
                    }
                    before = load.counts();
                    start = System.nanoTime();
                    progressUntil(start, load, before, readers, metadataLag, dataLag);
                } finally {
                    load.close();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                WriteLoad.Counts measured = load.counts().minus(before);
                LinearizableReaders.Summary reads = null;
                if (readers != null) {
                    readers.close();
                    reads = readers.summary();
                }
                drain(metadataLag, dataLag);
                long now = System.nanoTime();
                MirrorBenchResult result = new MirrorBenchResult(seconds, measured.mutations(), measured.blocks(),
                        measured.errors(), metadataLag.summary(now), dataLag.summary(now), reads);
                new MirrorBenchReport(config, out).summary(result, load.lastError(),
                        readers == null ? "" : readers.lastError(), regions.syncSourceRequests(),
                        poller.failures() == 0 ? "" : poller.failures() + " failed samples, last: " + poller.lastFailure());
                return result;
            } finally {
                if (readers != null) {
                    readers.close();
                }
            }
        }
    }

    private void warmUp() throws InterruptedException {
        if (!config.warmup().isZero()) {
            out.println("warming up for " + config.warmup().toSeconds() + " s (not measured) ...");
            out.flush();
            TimeUnit.NANOSECONDS.sleep(config.warmup().toNanos()); // the warm-up is a length of time by definition
        }
    }

    private void progressUntil(long start, WriteLoad load, WriteLoad.Counts before, LinearizableReaders readers,
                               LagTracker metadataLag, LagTracker dataLag) throws InterruptedException {
        MirrorBenchReport report = new MirrorBenchReport(config, out);
        long end = start + config.duration().toNanos();
        long interval = config.reportInterval().toNanos();
        long nextReport = start + interval;
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                return;
            }
            long wake = Math.min(end, nextReport);
            TimeUnit.NANOSECONDS.sleep(Math.max(1, wake - now)); // until the next progress line or the end
            now = System.nanoTime();
            if (now - nextReport >= 0 && now - end < 0) {
                WriteLoad.Counts so = load.counts().minus(before);
                report.progress((now - start) / 1e9, so.mutations(), so.blocks(), metadataLag.summary(now),
                        dataLag.summary(now), readers == null ? null : readers.summary());
                nextReport += interval;
            }
        }
    }

    /** Lets the mirror catch up with the last writes (metadata and data), bounded by {@link #DRAIN_WAIT}. */
    private void drain(LagTracker metadataLag, LagTracker dataLag) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        while ((metadataLag.pendingCount() > 0 || dataLag.pendingCount() > 0) && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS); // polling a condition with a deadline
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
