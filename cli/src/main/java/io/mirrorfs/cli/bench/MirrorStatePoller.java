package io.mirrorfs.cli.bench;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the mirror region's MirrorState every {@code intervalMillis} (a local query in the mirror's
 * region, not across the link) and feeds its applied primary index to the metadata lag tracker and
 * its data watermark to the data lag tracker, stamped with the time the reply came back.
 */
final class MirrorStatePoller implements AutoCloseable {
    private static final long QUERY_TIMEOUT_SECONDS = 10;
    private static final long JOIN_MILLIS = 15_000;

    private final MetadataClient mirror;
    private final LagTracker metadataLag;
    private final LagTracker dataLag;
    private final long intervalNanos;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure = "";
    private volatile boolean stopped;
    private final Thread thread;

    MirrorStatePoller(MetadataClient mirror, LagTracker metadataLag, LagTracker dataLag, long intervalMillis) {
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("poll interval must be >= 1 ms: " + intervalMillis);
        }
        this.mirror = mirror;
        this.metadataLag = metadataLag;
        this.dataLag = dataLag;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.thread = Thread.ofPlatform().daemon().name("bench-mirror-poller").start(this::run);
    }

    private void run() {
        MetaQuery query = MetaQuery.newBuilder().setMirrorState(MirrorStateQuery.getDefaultInstance()).build();
        long next = System.nanoTime();
        while (!stopped) {
            try {
                sample(query);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                fail(e.toString());
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait <= 0) {
                next = System.nanoTime(); // fell behind: do not burst to catch up
                continue;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(wait); // the sampling interval
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample(MetaQuery query) throws Exception {
        MetaReply reply = mirror.query(query).get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long at = System.nanoTime();
        if (reply.getErrno() != 0 || !reply.hasMirrorState()) {
            fail("MirrorStateQuery errno " + reply.getErrno());
            return;
        }
        MirrorState s = reply.getMirrorState();
        metadataLag.mirrorReached(s.getPrimaryIndex(), at);
        dataLag.mirrorReached(s.getDataWatermark(), at);
        samples.incrementAndGet();
    }

    private void fail(String why) {
        failures.incrementAndGet();
        lastFailure = why;
    }

    long samples() {
        return samples.get();
    }

    long failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(JOIN_MILLIS);
    }
}
