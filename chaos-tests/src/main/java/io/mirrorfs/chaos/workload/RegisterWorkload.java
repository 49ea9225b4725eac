package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Per-key registers: register K is the value of one xattr on file K. Writes are SetXattrOp (through the
 * Raft log), reads are GetXattrQuery through {@link MetadataClient#query} (read-index: linearizable).
 * Every written value is unique ("w&lt;thread&gt;.&lt;n&gt;"), so a read tells which write it saw.
 */
public final class RegisterWorkload {
    private final MetadataClient writer;
    private final MetadataClient reader;
    private final RequestIds ids;
    private final HistoryRecorder history;
    private final List<Key> keys;
    private final long opTimeoutMillis;
    private final int thinkMillisMax;

    /** One register: its history key and the inode holding it. */
    public record Key(String name, long inode) {}

    /**
     * @param reader the client reads go through — normally the same as {@code writer}; a deliberately
     *     broken one to show that the checker notices
     */
    public RegisterWorkload(MetadataClient writer, MetadataClient reader, RequestIds ids, HistoryRecorder history,
                            List<Key> keys, long opTimeoutMillis, int thinkMillisMax) {
        this.writer = writer;
        this.reader = reader;
        this.ids = ids;
        this.history = history;
        this.keys = List.copyOf(keys);
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    /**
     * One client thread's loop until {@code stop}. After an indeterminate op the thread continues as a
     * new process id (Jepsen's rule: the old process may still have that op in flight).
     */
    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        int n = 0;
        while (!stop.getAsBoolean()) {
            int process = ProcessIds.of(thread, generation);
            Key key = keys.get(random.nextInt(keys.size()));
            boolean indeterminate = random.nextBoolean()
                    ? write(process, key, "w" + thread + "." + (n++))
                    : read(process, key);
            if (indeterminate) {
                generation++;
            }
            if (thinkMillisMax > 0) {
                Thread.sleep(random.nextInt(thinkMillisMax + 1));
            }
        }
    }

    /** Returns true if the outcome is indeterminate. */
    public boolean write(int process, Key key, String value) throws InterruptedException {
        HistoryRecorder.Pending p = history.invoke(process, OpType.WRITE, key.name(), value);
        Outcomes.Result<MetaReply> r = Outcomes.await(writer.mutate(Namespace.setRegister(ids.next(), key.inode(), value)),
                opTimeoutMillis);
        if (!r.answered()) {
            p.info(r.error());
            return true;
        }
        if (r.value().getErrno() != 0) {
            Outcomes.failWithErrno(p, r.value().getErrno());
        } else {
            p.ok();
        }
        return false;
    }

    public boolean read(int process, Key key) throws InterruptedException {
        HistoryRecorder.Pending p = history.invoke(process, OpType.READ, key.name(), null);
        Outcomes.Result<MetaReply> r = Outcomes.await(reader.query(Namespace.getRegister(key.inode())), opTimeoutMillis);
        if (!r.answered()) {
            p.info(r.error());
            return true;
        }
        int errno = r.value().getErrno();
        if (errno == 0) {
            p.ok(r.value().getValue().toStringUtf8());
        } else if (errno == Errno.ENODATA.code()) {
            p.ok(null);
        } else {
            Outcomes.failWithErrno(p, errno);
        }
        return false;
    }
}
