package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.chaos.check.MirrorRead;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;

/**
 * A counter register written on the primary and read on the mirror. One writer sets the xattr
 * register of one file to 1, 2, 3, ...; each write is resent with the same request id until answered
 * (the dedup table applies it once), so value n is applied before n + 1 is sent and the register only
 * grows. Readers on the mirror ask MirrorState, then the register, through the mirror group's leader;
 * {@link io.mirrorfs.chaos.check.MirrorReadChecker} checks that what a client sees there never goes
 * back, across the mirror's leader changes and restarts.
 */
public final class MirrorReadWorkload {
    public static final String WRITE_KEY = "counter";
    public static final String READ_KEY = "mirror-counter";

    private final MetadataClient primary;
    private final MetadataClient mirror;
    private final RequestIds ids;
    private final HistoryRecorder history;
    private final long counterInode;
    private final Duration writeRetryWindow;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;
    private final ConcurrentSkipListMap<Long, Long> valueByCommitIndex = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<MirrorRead> reads = new ConcurrentLinkedQueue<>();

    public MirrorReadWorkload(MetadataClient primary, MetadataClient mirror, RequestIds ids, HistoryRecorder history,
                              long counterInode, Duration writeRetryWindow, long opTimeoutMillis, int thinkMillisMax) {
        this.primary = primary;
        this.mirror = mirror;
        this.ids = ids;
        this.history = history;
        this.counterInode = counterInode;
        this.writeRetryWindow = writeRetryWindow;
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    /** Acknowledged writes: primary changelog index of the write → the value written. */
    public NavigableMap<Long, Long> acknowledgedWrites() {
        return new ConcurrentSkipListMap<>(valueByCommitIndex);
    }

    public List<MirrorRead> reads() {
        return List.copyOf(reads);
    }

    /**
     * The writer's loop on the primary. A write still unanswered after the retry window is recorded
     * INFO and ends the loop: the next value could then overtake it, and the register would no longer
     * only grow.
     */
    public void runWriter(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        for (long value = 1; !stop.getAsBoolean(); value++) {
            MetaRequest write = Namespace.setRegister(ids.next(), counterInode, Long.toString(value));
            HistoryRecorder.Pending p = history.invoke(ProcessIds.of(thread, 0), OpType.WRITE, WRITE_KEY, Long.toString(value));
            MetaReply reply;
            try {
                reply = Namespace.mutateRetrying(primary, write, writeRetryWindow);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                p.info("unanswered within " + writeRetryWindow.toSeconds() + " s: " + e);
                return;
            }
            if (reply.getErrno() != 0) {
                Outcomes.failWithErrno(p, reply.getErrno());
                continue;
            }
            valueByCommitIndex.put(reply.getChangelogIndex() != 0 ? reply.getChangelogIndex() : reply.getIndex(), value);
            p.ok();
            if (thinkMillisMax > 0) {
                Thread.sleep(random.nextInt(thinkMillisMax + 1));
            }
        }
    }

    /** A reader's loop on the mirror. */
    public void runReader(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        while (!stop.getAsBoolean()) {
            int process = ProcessIds.of(thread, generation);
            HistoryRecorder.Pending p = history.invoke(process, OpType.READ, READ_KEY, null);
            long invoked = System.nanoTime();
            Outcomes.Result<MetaReply> state = Outcomes.await(mirror.query(MetaQuery.newBuilder()
                    .setMirrorState(MirrorStateQuery.getDefaultInstance()).build()), opTimeoutMillis);
            Outcomes.Result<MetaReply> value = state.answered()
                    ? Outcomes.await(mirror.query(Namespace.getRegister(counterInode)), opTimeoutMillis) : state;
            if (!value.answered()) {
                p.info(value.error());
                generation++;
            } else if (state.value().getErrno() != 0) {
                Outcomes.failWithErrno(p, state.value().getErrno());
            } else if (value.value().getErrno() != 0 && value.value().getErrno() != Errno.ENODATA.code()) {
                Outcomes.failWithErrno(p, value.value().getErrno());
            } else {
                long counter = value.value().getErrno() == 0 ? Long.parseLong(value.value().getValue().toStringUtf8()) : 0;
                MirrorState s = state.value().getMirrorState();
                p.ok(Long.toString(counter));
                reads.add(new MirrorRead(process, invoked, System.nanoTime(), s.getPrimaryIndex(), s.getDataWatermark(),
                        counter));
            }
            if (thinkMillisMax > 0) {
                Thread.sleep(random.nextInt(thinkMillisMax + 1));
            }
        }
    }
}
