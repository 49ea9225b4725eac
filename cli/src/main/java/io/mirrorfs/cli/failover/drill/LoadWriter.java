package io.mirrorfs.cli.failover.drill;

import io.mirrorfs.api.topology.Region;
import io.mirrorfs.client.FsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Write load during a switchover: one thread writing golden files to the (old) primary as fast as it
 * acknowledges them, recording for each acknowledged file when its write <em>started</em>. A write
 * that started after the fence was acknowledged must not exist: that is the "no write lands on the
 * old primary after its fence" check. Refused writes (EROFS after the fence) are counted.
 */
final class LoadWriter implements AutoCloseable {
    /** Between attempts after a refusal, so a fenced primary is not hammered. */
    private static final long REFUSED_PAUSE_MILLIS = 50;
    private static final long FILES_MAX = 100_000;

    record Ack(GoldenDataset.GoldenFile file, long startedAtEpochMillis) {}

    private final Region region;
    private final Random random;
    private final int fileBytesMax;
    private final List<Ack> acks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Exception failure;
    private long refusals;
    private String lastRefusal = "";

    LoadWriter(Region region, Random random, int fileBytesMax) {
        this.region = region;
        this.random = random;
        this.fileBytesMax = fileBytesMax;
        this.thread = Thread.ofPlatform().name("drill-load").daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        try (Drill.Writer w = Drill.Writer.open(region)) {
            for (long i = 0; !stopping && i < FILES_MAX; i++) {
                long started = System.currentTimeMillis();
                try {
                    GoldenDataset.GoldenFile f = w.data().write(Drill.DIR, "load-" + i, 1 + random.nextInt(fileBytesMax), random);
                    synchronized (this) {
                        acks.add(new Ack(f, started));
                        notifyAll();
                    }
                } catch (FsException e) {
                    synchronized (this) {
                        refusals++;
                        lastRefusal = e.errno() + ": " + e.getMessage();
                    }
                    Thread.sleep(REFUSED_PAUSE_MILLIS);
                }
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    synchronized void awaitAcknowledged(int count, Duration max) throws InterruptedException {
        long deadline = System.currentTimeMillis() + max.toMillis();
        while (acks.size() < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0 || !thread.isAlive()) {
                throw new IllegalStateException("write load acknowledged " + acks.size() + " of " + count
                        + " files within " + max.toSeconds() + " s" + (failure != null ? ": " + failure : ""));
            }
            wait(left);
        }
    }

    synchronized List<Ack> acknowledged() {
        return List.copyOf(acks);
    }

    synchronized long refusals() {
        return refusals;
    }

    synchronized String lastRefusal() {
        return lastRefusal;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(Duration.ofSeconds(60).toMillis());
        if (thread.isAlive()) {
            throw new IllegalStateException("write load did not stop within 60 s");
        }
    }
}
