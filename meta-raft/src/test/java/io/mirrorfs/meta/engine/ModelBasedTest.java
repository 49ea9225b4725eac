package io.mirrorfs.meta.engine;

import static io.mirrorfs.meta.engine.TestFs.name;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.DirEntry;
import io.mirrorfs.api.proto.FallocateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.GetXattrQuery;
import io.mirrorfs.api.proto.LinkOp;
import io.mirrorfs.api.proto.ListXattrQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.ReadDirQuery;
import io.mirrorfs.api.proto.ReadLinkQuery;
import io.mirrorfs.api.proto.RemoveXattrOp;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.RmdirOp;
import io.mirrorfs.api.proto.SetAttrOp;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.StatFsQuery;
import io.mirrorfs.api.proto.TruncateOp;
import io.mirrorfs.api.proto.UnlinkOp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based test: random sequences of namespace operations (by root and two users, with some
 * invalid names and unknown inodes) go to the engine and to {@link ModelFs}; after every step the
 * errno must match and the whole visible tree must be equal (attrs incl. times and nlink, entries
 * via paged readdir, symlink targets, xattrs, file contents byte by byte, statfs counters).
 *
 * <p>Replay a failure: the assertion message names the seed; run with
 * {@code -Dtest=ModelBasedTest -Dmodel.seed=SEED}.
 */
class ModelBasedTest {
    static final int STEPS_PER_SEED = 1500;
    static final String[] NAMES = {"a", "b", "c", "d"};
    static final String[] BAD_NAMES = {"", ".", "..", "x/y", "n\0ul", "x".repeat(256)};
    static final int[] MODES = {0755, 0700, 0777, 01777, 0644, 02775, 0600, 0444, 0711};
    static final Caller U1 = TestFs.user(1000, 1000);
    static final Caller U2 = TestFs.user(1001, 1001, 1000);

    @TempDir
    Path dir;

    /** Members of one group-commit entry in the batched run: 1 to this many consecutive steps. */
    static final int BATCH_STEPS_MAX = 12;

    @Test
    void engineMatchesModel() throws Exception {
        for (long seed : seeds()) {
            run(seed, false);
        }
    }

    /**
     * The same random steps, but runs of consecutive ones applied as one MutationBatch entry: each member
     * must get the errno and leave the state the model predicts when it applies them one after another.
     */
    @Test
    void engineMatchesModelWithGroupCommit() throws Exception {
        for (long seed : seeds()) {
            run(seed, true);
        }
    }

    private static long[] seeds() {
        String fixed = System.getProperty("model.seed");
        return fixed != null ? new long[] {Long.parseLong(fixed)} : new long[] {1, 2, System.nanoTime()};
    }

    private void run(long seed, boolean batched) throws Exception {
        Random rnd = new Random(seed);
        try (TestFs fs = TestFs.formatted(dir.resolve("db-" + seed + (batched ? "-batched" : "")))) {
            ModelFs model = new ModelFs(fs.timeNs);
            Map<String, Integer> outcomes = new TreeMap<>();
            for (int step = 0; step < STEPS_PER_SEED; ) {
                int members = batched ? Math.min(1 + rnd.nextInt(BATCH_STEPS_MAX), STEPS_PER_SEED - step) : 1;
                List<Planned> plans = new ArrayList<>(members);
                try {
                    for (int i = 0; i < members; i++) {
                        plans.add(plan(rnd, fs, model));
                    }
                    for (String what : batched ? runBatch(fs, plans) : List.of(runAlone(fs, plans.get(0)))) {
                        outcomes.merge(what.substring(0, what.indexOf(' ')) + what.substring(what.lastIndexOf(' ')), 1,
                                Integer::sum);
                    }
                    compare(fs, model);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("model test failed: seed=" + seed + (batched ? " (group commit)" : "")
                            + " step=" + step + " ops=" + plans.stream().map(Planned::what).toList()
                            + " (replay with -Dmodel.seed=" + seed + ")", e);
                }
                step += members;
            }
            System.out.println("model test seed " + seed + ": " + outcomes);
            // A run where nearly everything is refused would prove little.
            long succeeded = outcomes.entrySet().stream().filter(e -> e.getKey().endsWith(" OK"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(succeeded).as("successful steps").isGreaterThan(STEPS_PER_SEED / 4);
        }
    }

    private static <T> T pick(Random rnd, List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    private static String pickName(Random rnd) {
        return rnd.nextInt(25) == 0 ? BAD_NAMES[rnd.nextInt(BAD_NAMES.length)] : NAMES[rnd.nextInt(NAMES.length)];
    }

    private static Caller pickCaller(Random rnd) {
        int r = rnd.nextInt(10);
        return r < 5 ? TestFs.ROOT : r < 8 ? U1 : U2;
    }

    private static long pickInode(Random rnd, ModelFs m, FileType preferred) {
        if (rnd.nextInt(30) == 0) {
            return 999_999; // never allocated
        }
        List<Long> all = new ArrayList<>(new TreeMap<>(m.nodes).keySet());
        if (preferred != null && rnd.nextInt(4) != 0) {
            List<Long> typed = all.stream().filter(i -> m.nodes.get(i).type == preferred).toList();
            if (!typed.isEmpty()) {
                return pick(rnd, typed);
            }
        }
        return pick(rnd, all);
    }

    /** One random operation on both sides; asserts the errno agrees. Returns a description. */
    /** One random operation: the request, who sends it, and what it does to the model at a given time. */
    private record Planned(MetaRequest.Builder request, Caller caller, ModelStep apply, String what) {}

    private static String runAlone(TestFs fs, Planned p) throws Exception {
        MetaReply reply = fs.runAs(p.caller(), p.request());
        return checkOutcome(p, TestFs.errno(reply), expectedErrno(p, fs.timeNs));
    }

    /**
     * The plans as one batch entry. A member is stamped with the entry's time, or one nanosecond after
     * the previous successful member's stamp (the engine's time never repeats), so the model applies
     * each at that time.
     */
    private static List<String> runBatch(TestFs fs, List<Planned> plans) throws Exception {
        MetaReply reply = fs.runBatch(plans.stream().map(p -> p.request().setCaller(p.caller())).toList());
        assertThat(reply.getBatchCount()).as("one reply per member").isEqualTo(plans.size());
        List<String> outcomes = new ArrayList<>();
        long lastStamp = fs.timeNs - 1;
        for (int i = 0; i < plans.size(); i++) {
            Errno expected = expectedErrno(plans.get(i), lastStamp + 1);
            if (expected == Errno.OK) {
                lastStamp++;
            }
            outcomes.add(checkOutcome(plans.get(i), TestFs.errno(reply.getBatch(i)), expected));
        }
        return outcomes;
    }

    private static Errno expectedErrno(Planned p, long now) {
        try {
            p.apply().run(now);
            return Errno.OK;
        } catch (ModelFs.Fail f) {
            return f.errno;
        }
    }

    private static String checkOutcome(Planned p, Errno got, Errno expected) {
        assertThat(got).as("errno of " + p.what() + " by uid " + p.caller().getUid()).isEqualTo(expected);
        return p.what() + " by uid " + p.caller().getUid() + " -> " + expected;
    }

    private Planned plan(Random rnd, TestFs fs, ModelFs m) throws Exception {
        Caller c = pickCaller(rnd);
        int kind = rnd.nextInt(17);
        long parent = pickInode(rnd, m, FileType.DIRECTORY);
        String nm = pickName(rnd);
        MetaRequest.Builder req = MetaRequest.newBuilder();
        ModelStep apply;
        String what;
        switch (kind) {
            case 0, 1, 2 -> {
                FileType type = kind == 0 ? FileType.DIRECTORY : rnd.nextBoolean() ? FileType.REGULAR
                        : rnd.nextBoolean() ? FileType.SYMLINK : FileType.FIFO;
                int mode = MODES[rnd.nextInt(MODES.length)];
                String target = rnd.nextInt(20) == 0 ? "" : "target-" + rnd.nextInt(100);
                long ino = fs.newInode();
                req.setCreate(CreateOp.newBuilder().setParent(parent).setName(name(nm)).setType(type).setMode(mode)
                        .setInode(ino).setSymlinkTarget(name(type == FileType.SYMLINK ? target : "")));
                apply = now -> m.create(c, now, parent, nm, type, mode, ino, target);
                what = "create " + type + " " + parent + "/" + nm + " mode " + Integer.toOctalString(mode);
            }
            case 3 -> {
                req.setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(name(nm)));
                apply = now -> m.remove(c, now, parent, nm, false);
                what = "unlink " + parent + "/" + nm;
            }
            case 4 -> {
                req.setRmdir(RmdirOp.newBuilder().setParent(parent).setName(name(nm)));
                apply = now -> m.remove(c, now, parent, nm, true);
                what = "rmdir " + parent + "/" + nm;
            }
            case 5, 6 -> {
                long np = pickInode(rnd, m, FileType.DIRECTORY);
                String nn = pickName(rnd);
                int flags = rnd.nextInt(4) == 0 ? rnd.nextInt(4) : 0;
                req.setRename(RenameOp.newBuilder().setParent(parent).setName(name(nm)).setNewParent(np)
                        .setNewName(name(nn)).setFlags(flags));
                apply = now -> m.rename(c, now, parent, nm, np, nn, flags);
                what = "rename " + parent + "/" + nm + " -> " + np + "/" + nn + " flags " + flags;
            }
            case 7 -> {
                long ino = pickInode(rnd, m, FileType.REGULAR);
                req.setLink(LinkOp.newBuilder().setInode(ino).setNewParent(parent).setNewName(name(nm)));
                apply = now -> m.link(c, now, ino, parent, nm);
                what = "link " + ino + " -> " + parent + "/" + nm;
            }
            case 8 -> {
                long ino = pickInode(rnd, m, null);
                int mode = MODES[rnd.nextInt(MODES.length)] | (rnd.nextInt(4) == 0 ? 06000 : 0);
                req.setSetattr(SetAttrOp.newBuilder().setInode(ino).setValid(FsLimits.SET_MODE).setMode(mode));
                apply = now -> m.chmod(c, now, ino, mode);
                what = "chmod " + ino + " " + Integer.toOctalString(mode);
            }
            case 9 -> {
                long ino = pickInode(rnd, m, null);
                int uid = rnd.nextBoolean() ? 1000 : rnd.nextBoolean() ? 1001 : 0;
                int gid = rnd.nextBoolean() ? 1000 : rnd.nextBoolean() ? 1001 : 0;
                req.setSetattr(SetAttrOp.newBuilder().setInode(ino).setValid(FsLimits.SET_UID | FsLimits.SET_GID)
                        .setUid(uid).setGid(gid));
                apply = now -> m.chown(c, now, ino, uid, gid);
                what = "chown " + ino + " " + uid + ":" + gid;
            }
            case 10 -> {
                long ino = pickInode(rnd, m, null);
                boolean toNow = rnd.nextBoolean();
                long at = rnd.nextInt(1000);
                long mt = rnd.nextInt(1000);
                SetAttrOp.Builder op = SetAttrOp.newBuilder().setInode(ino);
                if (toNow) {
                    op.setValid(FsLimits.SET_ATIME_NOW | FsLimits.SET_MTIME_NOW);
                } else {
                    op.setValid(FsLimits.SET_ATIME | FsLimits.SET_MTIME).setAtimeNs(at).setMtimeNs(mt);
                }
                req.setSetattr(op);
                apply = now -> m.utimes(c, now, ino, toNow, at, mt);
                what = "utimes " + ino + (toNow ? " now" : " " + at + "," + mt);
            }
            case 11, 12 -> {
                long ino = pickInode(rnd, m, FileType.REGULAR);
                long length = randomOffset(rnd);
                if (rnd.nextBoolean()) {
                    req.setTruncate(TruncateOp.newBuilder().setInode(ino).setLength(length));
                } else {
                    req.setSetattr(SetAttrOp.newBuilder().setInode(ino).setValid(FsLimits.SET_SIZE).setSize(length));
                }
                apply = now -> m.truncate(c, now, ino, length);
                what = "truncate " + ino + " " + length;
            }
            case 13, 14 -> {
                long ino = pickInode(rnd, m, FileType.REGULAR);
                int chunk = rnd.nextInt(4) == 0 ? 1 : 0;
                int position = rnd.nextInt(300);
                int length = 1 + rnd.nextInt(64);
                int offsetInSlice = rnd.nextInt(8);
                long slice = fs.newSlice();
                req.setCommitSlice(CommitSliceOp.newBuilder().setInode(ino).setChunkIndex(chunk)
                        .setSlice(SliceRef.newBuilder().setSliceId(slice).setSliceSize(offsetInSlice + length)
                                .setOffsetInSlice(offsetInSlice).setLength(length).setPositionInChunk(position)));
                // The model tags bytes by offset in the slice, so shift by the ref's offset.
                apply = now -> commitShifted(m, now, ino, chunk, position, length, slice, offsetInSlice);
                what = "commit " + ino + " chunk " + chunk + " @" + position + "+" + length + " slice " + slice;
            }
            case 15 -> {
                long ino = pickInode(rnd, m, null);
                String xn = rnd.nextInt(20) == 0 ? (rnd.nextBoolean() ? "" : "n".repeat(256)) : "user." + NAMES[rnd.nextInt(3)];
                if (rnd.nextInt(3) == 0) {
                    req.setRemovexattr(RemoveXattrOp.newBuilder().setInode(ino).setName(name(xn)));
                    apply = now -> m.removeXattr(c, now, ino, xn);
                    what = "removexattr " + ino + " " + xn;
                } else {
                    String value = rnd.nextInt(40) == 0 ? "v".repeat(65537) : "v" + rnd.nextInt(10);
                    int flags = rnd.nextInt(3);
                    req.setSetxattr(SetXattrOp.newBuilder().setInode(ino).setName(name(xn)).setValue(name(value))
                            .setFlags(flags));
                    apply = now -> m.setXattr(c, now, ino, xn, value, flags);
                    what = "setxattr " + ino + " " + xn + " flags " + flags;
                }
            }
            default -> {
                long ino = pickInode(rnd, m, FileType.REGULAR);
                long offset = rnd.nextInt(4) == 0 ? FsLimits.CHUNK_SIZE_BYTES - rnd.nextInt(100) : rnd.nextInt(300);
                long length = 1 + rnd.nextInt(rnd.nextBoolean() ? 80 : 200_000_000);
                req.setFallocate(FallocateOp.newBuilder().setInode(ino)
                        .setMode(FsLimits.FALLOC_PUNCH_HOLE | FsLimits.FALLOC_KEEP_SIZE).setOffset(offset).setLength(length));
                apply = now -> m.punch(now, ino, offset, length);
                what = "punch " + ino + " @" + offset + "+" + length;
            }
        }
        return new Planned(req, c, apply, what);
    }

    private static void commitShifted(ModelFs m, long now, long ino, int chunk, int position, int length, long slice,
            int offsetInSlice) throws ModelFs.Fail {
        m.commit(now, ino, chunk, position, length, slice);
        ModelFs.Node n = m.nodes.get(ino);
        long base = chunk * FsLimits.CHUNK_SIZE_BYTES + position;
        for (int i = 0; i < length; i++) {
            n.bytes.put(base + i, ModelFs.tag(slice, offsetInSlice + i));
        }
    }

    private static long randomOffset(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> FsLimits.CHUNK_SIZE_BYTES + rnd.nextInt(300);
            default -> rnd.nextInt(350);
        };
    }

    interface ModelStep {
        void run(long now) throws ModelFs.Fail;
    }

    // ---- comparison

    private static MetaReply q(TestFs fs, MetaQuery.Builder query) {
        return fs.engine.query(query.setCaller(TestFs.ROOT).build());
    }

    private void compare(TestFs fs, ModelFs m) {
        List<Long> pending = new ArrayList<>(List.of(FsLimits.ROOT_INODE));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        while (!pending.isEmpty()) {
            long ino = pending.remove(pending.size() - 1);
            if (!seen.add(ino)) {
                continue;
            }
            ModelFs.Node n = m.nodes.get(ino);
            assertThat(n).as("model node " + ino).isNotNull();
            MetaReply r = q(fs, MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(ino)));
            assertThat(TestFs.errno(r)).as("getattr " + ino).isEqualTo(Errno.OK);
            Attr a = r.getAttr();
            Attr expected = Attr.newBuilder().setInode(ino).setType(n.type).setMode(n.mode).setUid(n.uid)
                    .setGid(n.gid).setSize(n.size).setNlink(n.nlink).setAtimeNs(n.atime).setMtimeNs(n.mtime)
                    .setCtimeNs(n.ctime).setParent(n.parent).build();
            assertThat(a).as("attr of " + ino).isEqualTo(expected);
            if (n.type == FileType.DIRECTORY) {
                Map<String, Long> entries = readDir(fs, ino);
                assertThat(entries).as("entries of " + ino).isEqualTo(n.entries);
                pending.addAll(entries.values());
            } else if (n.type == FileType.SYMLINK) {
                MetaReply link = q(fs, MetaQuery.newBuilder().setReadlink(ReadLinkQuery.newBuilder().setInode(ino)));
                assertThat(link.getValue().toStringUtf8()).isEqualTo(n.target);
            } else if (n.type == FileType.REGULAR) {
                assertThat(contents(fs, ino)).as("contents of " + ino).isEqualTo(n.bytes);
            }
            MetaReply names = q(fs, MetaQuery.newBuilder().setListxattr(ListXattrQuery.newBuilder().setInode(ino)));
            TreeMap<String, String> xattrs = new TreeMap<>();
            for (ByteString xn : names.getXattrNames().getNamesList()) {
                MetaReply v = q(fs, MetaQuery.newBuilder().setGetxattr(GetXattrQuery.newBuilder().setInode(ino).setName(xn)));
                xattrs.put(xn.toStringUtf8(), v.getValue().toStringUtf8());
            }
            assertThat(xattrs).as("xattrs of " + ino).isEqualTo(n.xattrs);
        }
        assertThat(seen).as("reachable inodes").isEqualTo(m.nodes.keySet());
        MetaReply st = q(fs, MetaQuery.newBuilder().setStatfs(StatFsQuery.getDefaultInstance()));
        assertThat(st.getStatfs().getUsedInodes()).isEqualTo(m.nodes.size());
        assertThat(st.getStatfs().getUsedBytes()).isEqualTo(m.usedBytes);
    }

    /** Reads a directory in pages of 3, so paging is exercised on every comparison. */
    private static Map<String, Long> readDir(TestFs fs, long ino) {
        TreeMap<String, Long> out = new TreeMap<>();
        ByteString after = ByteString.EMPTY;
        for (int page = 0; page < 100; page++) {
            MetaReply r = q(fs, MetaQuery.newBuilder().setReaddir(
                    ReadDirQuery.newBuilder().setInode(ino).setAfterName(after).setLimit(3)));
            assertThat(TestFs.errno(r)).isEqualTo(Errno.OK);
            for (DirEntry e : r.getReaddir().getEntriesList()) {
                out.put(e.getName().toString(StandardCharsets.UTF_8), e.getInode());
                after = e.getName();
            }
            if (r.getReaddir().getEof()) {
                return out;
            }
        }
        throw new AssertionError("readdir of " + ino + " never reached eof");
    }

    private static TreeMap<Long, Long> contents(TestFs fs, long ino) {
        TreeMap<Long, Long> out = new TreeMap<>();
        for (int chunk = 0; chunk < 2; chunk++) {
            MetaReply r = q(fs, MetaQuery.newBuilder().setReadChunk(
                    ReadChunkQuery.newBuilder().setInode(ino).setChunkIndex(chunk)));
            long prevEnd = -1;
            for (SliceRef s : r.getChunk().getSlicesList()) {
                assertThat((long) s.getPositionInChunk()).as("runs sorted and disjoint").isGreaterThanOrEqualTo(prevEnd);
                prevEnd = s.getPositionInChunk() + s.getLength();
                long base = chunk * FsLimits.CHUNK_SIZE_BYTES + s.getPositionInChunk();
                for (int i = 0; i < s.getLength(); i++) {
                    out.put(base + i, ModelFs.tag(s.getSliceId(), s.getOffsetInSlice() + i));
                }
            }
        }
        return out;
    }
}
