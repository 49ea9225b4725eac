package io.mirrorfs.meta.engine.ops;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.BootstrapOp;
import io.mirrorfs.api.proto.BootstrapRow;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.region.RegionState;
import io.mirrorfs.meta.engine.region.RegionState.Role;
import io.mirrorfs.meta.engine.store.Cf;
import io.mirrorfs.meta.engine.store.KeyValue;
import io.mirrorfs.meta.engine.store.Keys;
import io.mirrorfs.meta.engine.store.Row;
import io.mirrorfs.meta.engine.store.StateReader;
import io.mirrorfs.meta.engine.store.Tx;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies {@code BootstrapOp} (DESIGN §4): a mirror behind the primary's retained changelog installs
 * the primary's namespace rows through its own log, so every replica of the mirror group writes the
 * same rows at the same index.
 *
 * <p>The sequence of one attempt (all its ops carry the attempt's request client id):
 * <ol>
 *   <li>{@code BEGIN(S)}: the group becomes a MIRROR that is bootstrapping; its namespace families, its
 *       changelog and the copied meta rows are deleted, at most {@link #CLEAR_ROWS_MAX} rows per entry
 *       (a big namespace needs several BEGINs: ROWS answers EAGAIN until the clear is complete);</li>
 *   <li>{@code ROWS(S)}: puts rows, only into namespace families and the meta rows in
 *       {@link #META_ROWS_COPIED};</li>
 *   <li>{@code END(S)}: requires the volume and epoch rows, sets primary_index = S, role MIRROR, the
 *       changelog trimmed below S + 1, and ends the bootstrap: the next MirroredOp with
 *       previous_primary_index = S applies.</li>
 * </ol>
 * A new attempt (another client id, or another S) restarts with BEGIN. While a bootstrap is in
 * progress the group is marked bootstrap-required, so MirroredOps are refused (ESTALE) and nothing
 * applies onto half a namespace; END is the only op that moves primary_index. Refusals are EINVAL
 * (EAGAIN for "clear not complete") and change nothing. Nothing is kept in the dedup table or the
 * changelog: the mirror's namespace must equal the primary's byte for byte.
 */
public final class BootstrapHandler {
    /** Rows one BEGIN deletes at most: bounds the WriteBatch (and its memory) of one log entry. */
    public static final int CLEAR_ROWS_MAX = 4096;
    /** Rows one ROWS op may carry at most (a bound beside Ratis's entry size limit). */
    public static final int ROWS_PER_OP_MAX = 65_536;
    /** meta row, present only while a bootstrap is in progress: snapshot index u64, attempt id u64, phase u8. */
    public static final String BOOTSTRAP_STATE_KEY = "bootstrap";
    /**
     * The meta rows a bootstrap copies from the primary, in the order a source sends them (the volume
     * row last: a volume row without its epoch row is not a state any reader expects); every other
     * meta row is the group's own. last_time_ns keeps the mirror's time stamps equal to the primary's.
     */
    public static final List<String> META_ROWS_COPIED = List.of(MetaKeys.EPOCH, MetaKeys.LAST_TIME_NS, MetaKeys.VOLUME);
    /** The families whose rows are the namespace: what a bootstrap replaces wholesale. */
    public static final List<Cf> NAMESPACE_FAMILIES = Arrays.stream(Cf.values())
            .filter(cf -> cf != Cf.META && cf != Cf.CHANGELOG).toList();

    private static final int CLEAR_PAGE_ROWS = 128;
    private static final byte[] STATE_KEY = Keys.name(BOOTSTRAP_STATE_KEY);
    private static final byte[] EMPTY = new byte[0];
    private static final byte CLEARING = 1;
    private static final byte LOADING = 2;

    private BootstrapHandler() {}

    /** A bootstrap in progress, as its meta row records it. */
    record Progress(long snapshotIndex, long attempt, byte phase) {
        static Progress read(StateReader state) {
            byte[] raw = state.get(Cf.META, STATE_KEY);
            if (raw == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(raw);
            return new Progress(b.getLong(), b.getLong(), b.get());
        }

        byte[] encode() {
            return ByteBuffer.allocate(17).putLong(snapshotIndex).putLong(attempt).put(phase).array();
        }

        boolean sameAttempt(long s, long a) {
            return snapshotIndex == s && attempt == a;
        }
    }

    /** True while a bootstrap is in progress (BEGIN applied, END not yet): the namespace is incomplete. */
    public static boolean inProgress(StateReader state) {
        return state.get(Cf.META, STATE_KEY) != null;
    }

    /** Applies a BootstrapOp; the caller writes the rows and the applied index in one batch. */
    public static OpResult apply(StateReader state, long index, MetaRequest request) {
        assert request.getOpCase() == MetaRequest.OpCase.BOOTSTRAP;
        Tx tx = new Tx(state);
        MetaReply.Builder reply;
        try {
            reply = dispatch(state, tx, request);
        } catch (FsException e) {
            return new OpResult(List.of(), Replies.error(e.errno()).setIndex(index).build());
        }
        return new OpResult(tx.rows(), reply.setIndex(index).build());
    }

    private static MetaReply.Builder dispatch(StateReader base, Tx tx, MetaRequest request) throws FsException {
        BootstrapOp op = request.getBootstrap();
        long attempt = request.getRequestId().getClientId();
        FsException.check(op.getSnapshotIndex() > 0 && attempt != 0, Errno.EINVAL);
        FsException.check(!op.getVolume().isEmpty(), Errno.EINVAL);
        // A live primary never installs another region's namespace; a fenced one may (it rejoins as a mirror).
        RegionState region = RegionState.read(tx);
        FsException.check(region.role() != Role.PRIMARY || region.fenced(), Errno.EINVAL);
        return switch (op.getPhase()) {
            case BEGIN -> begin(base, tx, op, attempt);
            case ROWS -> rows(tx, op, attempt);
            case END -> end(tx, op, attempt);
            case PHASE_UNSPECIFIED, UNRECOGNIZED -> throw new FsException(Errno.EINVAL);
        };
    }

    private static MetaReply.Builder begin(StateReader base, Tx tx, BootstrapOp op, long attempt) throws FsException {
        Progress progress = Progress.read(tx);
        if (progress == null) {
            // Installing over another volume's namespace would destroy it: the mirror must be pointed at
            // its own volume's primary (a half-bootstrapped group has no volume row and accepts any).
            VolumeInfo current = Applier.volume(tx);
            FsException.check(current == null || current.getVolume().equals(op.getVolume()), Errno.EINVAL);
        }
        if (progress != null && progress.sameAttempt(op.getSnapshotIndex(), attempt) && progress.phase() == LOADING) {
            return state(tx); // a redelivered BEGIN of this attempt after its clear: rows may be loaded, keep them
        }
        boolean complete = clear(base, tx);
        Progress next = new Progress(op.getSnapshotIndex(), attempt, complete ? LOADING : CLEARING);
        tx.put(Cf.META, STATE_KEY, next.encode());
        put(tx, RegionState.roleRow(Role.MIRROR)); // client mutations are refused (EROFS) from now on
        // MirroredOps are refused (ESTALE) until END clears it: nothing applies onto half a namespace,
        // and MirrorState shows the group must (still) bootstrap. primary_index stays as it was.
        put(tx, RegionState.u64Row(MetaKeys.BOOTSTRAP_REQUIRED, 1));
        return state(tx);
    }

    /**
     * Deletes up to CLEAR_ROWS_MAX rows of the namespace and changelog; true when nothing is left.
     * Scans the base state (the tx holds no writes to these families yet) in small pages: a scan
     * returns values too, and a row may be 64 KiB.
     */
    private static boolean clear(StateReader base, Tx tx) {
        int budget = CLEAR_ROWS_MAX;
        List<Cf> families = new ArrayList<>(NAMESPACE_FAMILIES);
        families.add(Cf.CHANGELOG);
        for (Cf cf : families) {
            byte[] after = null;
            while (true) {
                List<KeyValue> page = base.scan(cf, EMPTY, after, CLEAR_PAGE_ROWS);
                for (KeyValue kv : page) {
                    if (budget == 0) {
                        return false;
                    }
                    tx.delete(cf, kv.key());
                    budget--;
                }
                if (page.size() < CLEAR_PAGE_ROWS) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
        }
        for (String name : META_ROWS_COPIED) {
            tx.delete(Cf.META, Keys.name(name));
        }
        put(tx, RegionState.u64Row(MetaKeys.CHANGELOG_COUNT, 0));
        put(tx, RegionState.u64Row(MetaKeys.CHANGELOG_BYTES, 0));
        return true;
    }

    private static MetaReply.Builder rows(Tx tx, BootstrapOp op, long attempt) throws FsException {
        Progress progress = loading(tx, op, attempt);
        assert progress.phase() == LOADING;
        FsException.check(op.getRowsCount() <= ROWS_PER_OP_MAX, Errno.EINVAL);
        for (BootstrapRow row : op.getRowsList()) {
            Cf cf = family(row.getFamily());
            byte[] key = row.getKey().toByteArray();
            FsException.check(key.length > 0, Errno.EINVAL);
            if (cf == Cf.META) {
                checkMetaRow(op, key, row.getValue().toByteArray());
            }
            tx.put(cf, key, row.getValue().toByteArray());
        }
        boolean hasVolume = tx.get(Cf.META, Keys.name(MetaKeys.VOLUME)) != null;
        FsException.check(!hasVolume || tx.get(Cf.META, Keys.name(MetaKeys.EPOCH)) != null, Errno.EINVAL);
        return MetaReply.newBuilder();
    }

    private static MetaReply.Builder end(Tx tx, BootstrapOp op, long attempt) throws FsException {
        loading(tx, op, attempt);
        FsException.check(tx.get(Cf.META, Keys.name(MetaKeys.EPOCH)) != null, Errno.EINVAL);
        VolumeInfo volume = Applier.volume(tx);
        // Without the volume row the stream ended early: the namespace is incomplete, so this is no END.
        FsException.check(volume != null && volume.getVolume().equals(op.getVolume()), Errno.EINVAL);
        FsException.check(tx.get(Cf.META, Keys.name(MetaKeys.LAST_TIME_NS)) != null, Errno.EINVAL);
        long snapshotIndex = op.getSnapshotIndex();
        tx.delete(Cf.META, STATE_KEY);
        put(tx, RegionState.roleRow(Role.MIRROR));
        put(tx, RegionState.u64Row(MetaKeys.PRIMARY_INDEX, snapshotIndex));
        put(tx, RegionState.u64Row(MetaKeys.FENCED, 0));
        put(tx, RegionState.u64Row(MetaKeys.BOOTSTRAP_REQUIRED, 0));
        // The snapshot's last stamp stands in for the time of primary entry S (for lag in seconds).
        put(tx, new Row(Cf.META, Keys.name(MetaKeys.PRIMARY_TIME_NS), tx.get(Cf.META, Keys.name(MetaKeys.LAST_TIME_NS))));
        // The mirror's own changelog (primary index space) restarts after the snapshot: its followers
        // (the sync service) asking for less must resync, not read the gap as "nothing happened".
        put(tx, RegionState.u64Row(MetaKeys.CHANGELOG_LAST_INDEX, snapshotIndex));
        put(tx, RegionState.u64Row(MetaKeys.CHANGELOG_TRIMMED_BELOW, snapshotIndex + 1));
        return state(tx);
    }

    /** The attempt's progress, in the loading phase: EAGAIN while its clear is incomplete, EINVAL for another attempt. */
    private static Progress loading(Tx tx, BootstrapOp op, long attempt) throws FsException {
        Progress progress = Progress.read(tx);
        FsException.check(progress != null && progress.sameAttempt(op.getSnapshotIndex(), attempt), Errno.EINVAL);
        FsException.check(progress.phase() == LOADING, Errno.EAGAIN);
        return progress;
    }

    private static Cf family(String name) throws FsException {
        for (Cf cf : NAMESPACE_FAMILIES) {
            if (cf.columnName().equals(name)) {
                return cf;
            }
        }
        FsException.check(Cf.META.columnName().equals(name), Errno.EINVAL);
        return Cf.META;
    }

    private static void checkMetaRow(BootstrapOp op, byte[] key, byte[] value) throws FsException {
        String name = new String(key, java.nio.charset.StandardCharsets.US_ASCII);
        FsException.check(META_ROWS_COPIED.contains(name), Errno.EINVAL);
        if (name.equals(MetaKeys.VOLUME)) {
            VolumeInfo info;
            try {
                info = VolumeInfo.parseFrom(value);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new FsException(Errno.EINVAL);
            }
            FsException.check(info.getVolume().equals(op.getVolume()), Errno.EINVAL);
        } else {
            FsException.check(value.length == Long.BYTES, Errno.EINVAL);
        }
    }

    /** The reply: the group's region state after the op (primary index 0 while bootstrapping). */
    private static MetaReply.Builder state(Tx tx) {
        return MetaReply.newBuilder().setMirrorState(RegionState.read(tx).toProto());
    }

    private static void put(Tx tx, Row row) {
        tx.put(row.cf(), row.key(), row.value());
    }
}
