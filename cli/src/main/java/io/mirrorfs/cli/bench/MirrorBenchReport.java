package io.mirrorfs.cli.bench;

import java.io.PrintStream;
import java.util.Locale;

/** The lines {@code bench mirror} prints: progress every few seconds, then the summary with the targets. */
final class MirrorBenchReport {
    private final MirrorBenchConfig config;
    private final PrintStream out;

    MirrorBenchReport(MirrorBenchConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    void progress(double seconds, long mutations, long blocks, LagTracker.Summary metadata, LagTracker.Summary data,
                  LinearizableReaders.Summary reads) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "[%5.1f s] writes %6.1f ops/s %5.1f MiB/s | metadata lag p99 %s ms (n=%d, pending %d) | data lag p99 %s ms"
                        + " (n=%d, pending %d)", seconds, mutations / seconds, blocks * mib() / seconds,
                millis(metadata.p99Millis()), metadata.count(), metadata.pending(), millis(data.p99Millis()), data.count(),
                data.pending()));
        if (reads != null) {
            line.append(String.format(Locale.ROOT, " | lin reads %.1f/s p99 %s ms, %.3f primary round trips/read",
                    reads.reads() / seconds, millis(reads.p99Millis()), reads.probesPerRead()));
        }
        out.println(line);
        out.flush();
    }

    void summary(MirrorBenchResult r, String writeError, String readError, long syncSourceRequests, String pollerTrouble) {
        out.println("== summary ==");
        out.println("configuration: " + config.describe());
        out.printf(Locale.ROOT, "write rate: %.1f metadata ops/s (%d mutations), %.2f blocks/s = %.1f MiB/s (%d blocks)"
                        + " over %.1f s, errors %d%s%n", r.mutations() / r.seconds(), r.mutations(), r.blocks() / r.seconds(),
                r.blocks() * mib() / r.seconds(), r.blocks(), r.seconds(), r.writeErrors(),
                writeError.isEmpty() ? "" : " (last: " + writeError + ")");
        lag("metadata lag", r.metadataLag(), MirrorBenchResult.METADATA_LAG_P99_TARGET_MILLIS);
        lag("data watermark lag", r.dataLag(), MirrorBenchResult.DATA_LAG_P99_TARGET_MILLIS);
        LinearizableReaders.Summary reads = r.reads();
        if (reads != null) {
            out.printf(Locale.ROOT, "linearizable mirror reads: %.1f reads/s, p50 %s ms, p99 %s ms, %d reads, %d errors%s;"
                            + " primary round trips %d = %.3f per read (target <= %.0f: %s)%n", reads.reads() / r.seconds(),
                    millis(reads.p50Millis()), millis(reads.p99Millis()), reads.reads(), reads.errors(),
                    readError.isEmpty() ? "" : " (last: " + readError + ")", reads.primaryProbes(), reads.probesPerRead(),
                    MirrorBenchResult.PROBES_PER_READ_TARGET,
                    verdict(reads.reads() > 0 && reads.probesPerRead() <= MirrorBenchResult.PROBES_PER_READ_TARGET));
        }
        out.printf(Locale.ROOT, "sync requests to the primary's store across the link: %d%s%n", syncSourceRequests,
                pollerTrouble.isEmpty() ? "" : "; mirror sampling: " + pollerTrouble);
        out.println("(lags are upper bounds: mirror sampled every " + MirrorBenchmark.POLL_MILLIS
                + " ms; primary time = when the writer got the reply)");
        out.flush();
    }

    private void lag(String name, LagTracker.Summary s, double targetMillis) {
        out.printf(Locale.ROOT, "%s: p50 %s ms, p99 %s ms, max %s ms, count %d, still pending %d%s (target p99 <= %.0f ms: %s)%n",
                name, millis(s.p50Millis()), millis(s.p99Millis()), millis(s.maxMillis()), s.count(), s.pending(),
                s.dropped() == 0 ? "" : ", not tracked " + s.dropped(), targetMillis,
                verdict(s.count() > 0 && s.pending() == 0 && s.p99Millis() <= targetMillis));
    }

    private double mib() {
        return config.blockSizeBytes() / (double) (1 << 20);
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.1f", ms);
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }
}
