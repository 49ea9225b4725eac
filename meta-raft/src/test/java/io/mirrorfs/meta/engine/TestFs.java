package io.mirrorfs.meta.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.LookupQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MutationBatch;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.SliceRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test driver around one engine: numbers log entries, stamps a fake clock (+1 µs per entry),
 * gives each request a fresh request id, and keeps the log so it can be replayed elsewhere.
 */
final class TestFs implements AutoCloseable {
    static final Caller ROOT = Caller.newBuilder().setUid(0).setGid(0).build();
    static final long CLIENT_ID = 4242;

    NamespaceEngine engine;
    final List<LogEntry> log = new ArrayList<>();
    long index;
    long timeNs = 1_000_000_000L;
    long seq;
    Caller caller = ROOT;
    private long nextInode;
    private long inodesLeft;
    private long nextSlice;
    private long slicesLeft;

    TestFs(NamespaceEngine engine) {
        this.engine = engine;
        this.index = engine.appliedIndex();
    }

    static TestFs formatted(Path dir) throws IOException {
        TestFs fs = new TestFs(NamespaceEngine.open(dir));
        MetaReply r = fs.run(MetaRequest.newBuilder().setFormat(FormatOp.newBuilder().setVolume("vol")));
        assertThat(r.getErrno()).isZero();
        return fs;
    }

    static ByteString name(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    static Caller user(int uid, int gid, int... groups) {
        Caller.Builder c = Caller.newBuilder().setUid(uid).setGid(gid);
        for (int g : groups) {
            c.addGroups(g);
        }
        return c.build();
    }

    MetaReply run(MetaRequest.Builder request) throws IOException {
        return runAs(caller, request);
    }

    MetaReply runAs(Caller who, MetaRequest.Builder request) throws IOException {
        if (!request.hasCaller()) {
            request.setCaller(who);
        }
        if (!request.hasRequestId()) {
            request.setRequestId(RequestId.newBuilder().setClientId(CLIENT_ID).setSeq(++seq));
        }
        timeNs += 1000;
        LogEntry entry = NamespaceEngine.prepare(request.build(), timeNs);
        log.add(entry);
        return engine.apply(++index, entry);
    }

    /** The requests (callers set) as one MutationBatch entry, each member with a fresh request id. */
    MetaReply runBatch(List<MetaRequest.Builder> members) throws IOException {
        MutationBatch.Builder batch = MutationBatch.newBuilder();
        for (MetaRequest.Builder member : members) {
            if (!member.hasRequestId()) {
                member.setRequestId(RequestId.newBuilder().setClientId(CLIENT_ID).setSeq(++seq));
            }
            batch.addRequests(member);
        }
        timeNs += 1000;
        LogEntry entry = NamespaceEngine.prepare(MetaRequest.newBuilder().setBatch(batch).build(), timeNs);
        log.add(entry);
        return engine.apply(++index, entry);
    }

    MetaReply query(MetaQuery.Builder q) {
        if (!q.hasCaller()) {
            q.setCaller(caller);
        }
        return engine.query(q.build());
    }

    long newInode() throws IOException {
        if (inodesLeft == 0) {
            MetaReply r = runAs(ROOT, MetaRequest.newBuilder()
                    .setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.INODE).setCount(64)));
            assertThat(r.getErrno()).isZero();
            nextInode = r.getIds().getFirst();
            inodesLeft = r.getIds().getCount();
        }
        inodesLeft--;
        return nextInode++;
    }

    long newSlice() throws IOException {
        if (slicesLeft == 0) {
            MetaReply r = runAs(ROOT, MetaRequest.newBuilder()
                    .setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.SLICE).setCount(64)));
            assertThat(r.getErrno()).isZero();
            nextSlice = r.getIds().getFirst();
            slicesLeft = r.getIds().getCount();
        }
        slicesLeft--;
        return nextSlice++;
    }

    MetaReply create(long parent, String name, FileType type, int mode) throws IOException {
        return run(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name(name))
                .setType(type).setMode(mode).setInode(newInode())));
    }

    long mkdir(long parent, String name) throws IOException {
        return ok(create(parent, name, FileType.DIRECTORY, 0755)).getAttr().getInode();
    }

    long file(long parent, String name) throws IOException {
        return ok(create(parent, name, FileType.REGULAR, 0644)).getAttr().getInode();
    }

    MetaReply commit(long inode, int chunk, int position, int length) throws IOException {
        long slice = newSlice();
        return run(MetaRequest.newBuilder().setCommitSlice(CommitSliceOp.newBuilder().setInode(inode)
                .setChunkIndex(chunk).setSlice(SliceRef.newBuilder().setSliceId(slice).setSliceSize(length)
                        .setLength(length).setPositionInChunk(position))));
    }

    Attr attr(long inode) {
        return ok(query(MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(inode)))).getAttr();
    }

    MetaReply lookup(long parent, String name) {
        return query(MetaQuery.newBuilder().setLookup(LookupQuery.newBuilder().setParent(parent).setName(name(name))));
    }

    static MetaReply ok(MetaReply r) {
        assertThat(Errno.of(r.getErrno())).as("errno").isEqualTo(Errno.OK);
        return r;
    }

    static Errno errno(MetaReply r) {
        return Errno.of(r.getErrno());
    }

    void reopen(Path dir) throws IOException {
        engine.close();
        engine = NamespaceEngine.open(dir);
        assertThat(engine.appliedIndex()).isEqualTo(index);
    }

    @Override
    public void close() {
        engine.close();
    }

    static final long ROOT_INODE = FsLimits.ROOT_INODE;
}
