package io.mirrorfs.cli.bench;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.InodeAllocator;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop metadata benchmark: N workers, each with one call outstanding at a time, each in its own
 * directory, through one shared {@link MetadataClient}. Phases run one after another for a fixed time
 * each: create, lookup, getattr, readdir, rename, unlink (rename and unlink stop early when a worker
 * runs out of files). One line per phase: ops/s, p50, p99.
 */
public final class MetaBenchmark {
    private static final long CALL_TIMEOUT_SECONDS = 60;
    private static final int INODE_BATCH = 1000;
    private static final int READDIR_PAGE = 100;
    private static final Caller CALLER = MetaOps.ROOT;

    private final MetadataClient client;
    private final int workers;
    private final Duration phaseTime;
    private final PrintStream out;
    private static final List<String> PHASES = List.of("create", "lookup", "getattr", "readdir", "rename", "unlink");
    private List<String> selected = PHASES;
    private Duration warmup = Duration.ZERO;

    public MetaBenchmark(MetadataClient client, int workers, Duration phaseTime, PrintStream out) {
        if (workers < 1 || workers > 4096) {
            throw new IllegalArgumentException("workers must be 1..4096: " + workers);
        }
        this.client = client;
        this.workers = workers;
        this.phaseTime = phaseTime;
        this.out = out;
    }

    /** Per-worker state carried from phase to phase. */
    private final class Worker {
        final RequestIds ids = new RequestIds();
        final InodeAllocator inodes = new InodeAllocator(client, ids, INODE_BATCH);
        final String dirName;
        long dir;
        final List<Long> files = new ArrayList<>();   // inode of f<i>
        int renamed;
        int unlinked;

        Worker(String dirName) {
            this.dirName = dirName;
        }

        MetaReply mutate(MetaRequest r) throws Exception {
            return client.mutate(r).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        MetaReply query(MetaQuery q) throws Exception {
            return client.query(q).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** One operation of a phase; returns false when this worker has nothing left to do. */
    private interface Step {
        boolean run(Worker w, LatencyRecorder rec) throws Exception;
    }

    /** Runs the named phases (a subset of create, lookup, getattr, readdir, rename, unlink, in that order) after an untimed warm-up of creates. */
    public void run(Duration warmup, List<String> phases) throws Exception {
        for (String p : phases) {
            if (!PHASES.contains(p)) {
                throw new IllegalArgumentException("unknown phase " + p + "; known: " + PHASES);
            }
        }
        this.selected = List.copyOf(phases);
        this.warmup = warmup;
        run();
    }

    public void run() throws Exception {
        String run = Long.toHexString(System.nanoTime());
        List<Worker> ws = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Worker w = new Worker("bench-" + run + "-w" + i);
            MetaReply r = w.mutate(MetaOps.create(w.ids.next(), CALLER, FsLimits.ROOT_INODE, w.dirName,
                    FileType.DIRECTORY, 0755, w.inodes.next()));
            check(r, "mkdir " + w.dirName);
            w.dir = r.getAttr().getInode();
            ws.add(w);
        }
        out.printf("mirrorfs bench meta: %d clients, %d s per phase, %d s warm-up%n", workers, phaseTime.toSeconds(),
                warmup.toSeconds());
        if (!warmup.isZero()) {
            // Same work as the create phase, not reported: the files it makes are used by later phases.
            phaseFor("warm-up", warmup, ws, this::createStep, false);
        }
        phase("create", ws, this::createStep);
        phase("lookup", ws, (w, rec) -> {
            int i = ThreadLocalRandom.current().nextInt(Math.max(1, w.files.size()));
            long t0 = System.nanoTime();
            return timed(rec, t0, w.query(MetaOps.lookup(CALLER, w.dir, "f" + i)), null);
        });
        phase("getattr", ws, (w, rec) -> {
            long ino = w.files.isEmpty() ? w.dir : w.files.get(ThreadLocalRandom.current().nextInt(w.files.size()));
            long t0 = System.nanoTime();
            return timed(rec, t0, w.query(MetaOps.getattr(CALLER, ino)), null);
        });
        phase("readdir", ws, (w, rec) -> {
            long t0 = System.nanoTime();
            return timed(rec, t0, w.query(MetaOps.readdir(CALLER, w.dir, "", READDIR_PAGE)), null);
        });
        phase("rename", ws, (w, rec) -> {
            if (w.renamed >= w.files.size()) {
                return false;
            }
            int i = w.renamed;
            long t0 = System.nanoTime();
            MetaReply r = w.mutate(MetaOps.rename(w.ids.next(), CALLER, w.dir, "f" + i, w.dir, "r" + i));
            return timed(rec, t0, r, () -> w.renamed++);
        });
        phase("unlink", ws, (w, rec) -> {
            if (w.unlinked >= w.renamed) {
                return false;
            }
            int i = w.unlinked;
            long t0 = System.nanoTime();
            MetaReply r = w.mutate(MetaOps.unlink(w.ids.next(), CALLER, w.dir, "r" + i));
            return timed(rec, t0, r, () -> w.unlinked++);
        });
    }

    private boolean createStep(Worker w, LatencyRecorder rec) throws Exception {
        long ino = w.inodes.next(); // amortised: one AllocateIds per INODE_BATCH creates, counted in
        String name = "f" + w.files.size();
        long t0 = System.nanoTime();
        MetaReply r = w.mutate(MetaOps.create(w.ids.next(), CALLER, w.dir, name, FileType.REGULAR, 0644, ino));
        return timed(rec, t0, r, () -> w.files.add(ino));
    }

    private static boolean timed(LatencyRecorder rec, long t0, MetaReply r, Runnable onSuccess) {
        long latency = System.nanoTime() - t0;
        if (r.getErrno() != 0) {
            rec.error();
            // A worker whose op fails (e.g. rename of a file another phase lost) stops this phase
            // rather than spin on the same error.
            return false;
        }
        rec.record(latency);
        if (onSuccess != null) {
            onSuccess.run();
        }
        return true;
    }

    private void phase(String name, List<Worker> ws, Step step) throws Exception {
        if (selected.contains(name)) {
            phaseFor(name, phaseTime, ws, step, true);
        }
    }

    private void phaseFor(String name, Duration time, List<Worker> ws, Step step, boolean reported) throws Exception {
        List<LatencyRecorder> recs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(ws.size());
        long start = System.nanoTime();
        long end = start + time.toNanos();
        List<Future<Long>> done = new ArrayList<>();
        try {
            for (Worker w : ws) {
                LatencyRecorder rec = new LatencyRecorder();
                recs.add(rec);
                done.add(pool.submit(() -> {
                    while (System.nanoTime() < end && step.run(w, rec)) {
                        // closed loop: next call as soon as the previous one answered
                    }
                    return System.nanoTime();
                }));
            }
            long last = start;
            for (Future<Long> f : done) {
                last = Math.max(last, f.get(time.toSeconds() + 2 * CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            if (reported) {
                report(name, recs, (last - start) / 1e9);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private void report(String name, List<LatencyRecorder> recs, double seconds) {
        long ops = 0;
        long errors = 0;
        for (LatencyRecorder r : recs) {
            ops += r.count();
            errors += r.errors();
        }
        long[] sorted = LatencyRecorder.sortedSamples(recs);
        out.printf("%-8s ops/s=%9.1f  p50=%7.3f ms  p99=%7.3f ms  ops=%d  errors=%d  (%.1f s)%n", name, ops / seconds,
                LatencyRecorder.percentileMillis(sorted, 50), LatencyRecorder.percentileMillis(sorted, 99), ops, errors, seconds);
        out.flush();
    }

    private static void check(MetaReply r, String what) {
        if (r.getErrno() != 0) {
            throw new IllegalStateException(what + " failed: errno " + r.getErrno());
        }
    }
}
