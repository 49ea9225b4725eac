package io.mirrorfs.meta.engine;

import static io.mirrorfs.meta.engine.TestFs.ROOT_INODE;
import static io.mirrorfs.meta.engine.TestFs.errno;
import static io.mirrorfs.meta.engine.TestFs.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.GetXattrQuery;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.LinkOp;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.ReadLinkQuery;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.RmdirOp;
import io.mirrorfs.api.proto.SetAttrOp;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.TruncateOp;
import io.mirrorfs.api.proto.UnlinkOp;
import io.mirrorfs.meta.engine.store.Cf;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is answered with the right errno and changes nothing but the applied index. */
class BadInputTest {
    static final String[][] BAD_NAMES = {
        {"", "EINVAL"}, {".", "EINVAL"}, {"..", "EINVAL"}, {"a/b", "EINVAL"}, {"a\0b", "EINVAL"},
        {"n".repeat(256), "ENAMETOOLONG"},
    };

    @TempDir
    Path dir;
    TestFs fs;
    long sub;
    long file;

    @BeforeEach
    void setUp() throws Exception {
        fs = TestFs.formatted(dir.resolve("db"));
        sub = fs.mkdir(ROOT_INODE, "sub");
        file = fs.file(sub, "file");
        fs.ok(fs.run(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(sub).setName(name("link"))
                .setType(FileType.SYMLINK).setSymlinkTarget(name("file")).setInode(fs.newInode()))));
    }

    @AfterEach
    void tearDown() {
        fs.close();
    }

    /** Applies a request that must be refused with {@code expected} and leave every row but meta alone. */
    private void refused(MetaRequest.Builder request, Errno expected) throws Exception {
        byte[] before = fs.engine.digest(Set.of(Cf.META));
        long index = fs.index;
        MetaReply reply = fs.run(request);
        assertThat(errno(reply)).as(request.getOpCase().toString()).isEqualTo(expected);
        assertThat(fs.engine.digest(Set.of(Cf.META))).as("state after refused " + request.getOpCase()).isEqualTo(before);
        assertThat(fs.engine.appliedIndex()).isEqualTo(index + 1);
    }

    @Test
    void invalidNamesEverywhere() throws Exception {
        for (String[] bad : BAD_NAMES) {
            ByteString n = name(bad[0]);
            Errno e = Errno.valueOf(bad[1]);
            refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(sub).setName(n)
                    .setType(FileType.REGULAR).setInode(fs.newInode())), e);
            refused(MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(sub).setName(n)), e);
            refused(MetaRequest.newBuilder().setRmdir(RmdirOp.newBuilder().setParent(ROOT_INODE).setName(n)), e);
            refused(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(sub).setName(name("file"))
                    .setNewParent(sub).setNewName(n)), e);
            refused(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(sub).setName(n)
                    .setNewParent(sub).setNewName(name("x"))), e);
            refused(MetaRequest.newBuilder().setLink(LinkOp.newBuilder().setInode(file).setNewParent(sub).setNewName(n)), e);
        }
    }

    @Test
    void unknownInodesAndWrongTypes() throws Exception {
        refused(MetaRequest.newBuilder().setSetattr(SetAttrOp.newBuilder().setInode(777_777).setValid(FsLimits.SET_MODE)),
                Errno.ENOENT);
        refused(MetaRequest.newBuilder().setTruncate(TruncateOp.newBuilder().setInode(777_777)), Errno.ENOENT);
        refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(777_777).setName(name("x"))
                .setType(FileType.REGULAR).setInode(fs.newInode())), Errno.ENOENT);
        refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(file).setName(name("x"))
                .setType(FileType.REGULAR).setInode(fs.newInode())), Errno.ENOTDIR);
        refused(MetaRequest.newBuilder().setRmdir(RmdirOp.newBuilder().setParent(sub).setName(name("file"))), Errno.ENOTDIR);
        refused(MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName(name("sub"))),
                Errno.EISDIR);
        refused(MetaRequest.newBuilder().setRmdir(RmdirOp.newBuilder().setParent(ROOT_INODE).setName(name("sub"))),
                Errno.ENOTEMPTY);
        refused(MetaRequest.newBuilder().setTruncate(TruncateOp.newBuilder().setInode(sub)), Errno.EISDIR);
        refused(MetaRequest.newBuilder().setLink(LinkOp.newBuilder().setInode(sub).setNewParent(ROOT_INODE)
                .setNewName(name("dirlink"))), Errno.EPERM);
        refused(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(ROOT_INODE).setName(name("sub"))
                .setNewParent(sub).setNewName(name("inside"))), Errno.EINVAL);
        refused(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(sub).setName(name("file"))
                .setNewParent(sub).setNewName(name("link")).setFlags(FsLimits.RENAME_NOREPLACE)), Errno.EEXIST);
        refused(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(sub).setName(name("file"))
                .setNewParent(sub).setNewName(name("none")).setFlags(FsLimits.RENAME_EXCHANGE)), Errno.ENOENT);
        refused(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(sub).setName(name("file"))
                .setNewParent(sub).setNewName(name("x")).setFlags(3)), Errno.EINVAL);
        assertThat(errno(fs.query(MetaQuery.newBuilder().setReadlink(ReadLinkQuery.newBuilder().setInode(file)))))
                .isEqualTo(Errno.EINVAL);
        assertThat(errno(fs.query(MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(777_777)))))
                .isEqualTo(Errno.ENOENT);
        assertThat(errno(fs.query(MetaQuery.newBuilder()))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void badIdsSlicesAndSymlinks() throws Exception {
        long used = file;
        refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(sub).setName(name("x"))
                .setType(FileType.REGULAR).setInode(used)), Errno.EINVAL);
        refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(sub).setName(name("x"))
                .setType(FileType.REGULAR).setInode(1_000_000)), Errno.EINVAL);
        refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(sub).setName(name("x"))
                .setType(FileType.FILE_TYPE_UNSPECIFIED).setInode(fs.newInode())), Errno.EINVAL);
        refused(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(sub).setName(name("x"))
                .setType(FileType.SYMLINK).setSymlinkTarget(name("t".repeat(4097))).setInode(fs.newInode())),
                Errno.ENAMETOOLONG);
        refused(MetaRequest.newBuilder().setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.SLICE).setCount(0)),
                Errno.EINVAL);
        refused(MetaRequest.newBuilder().setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.INODE)
                .setCount(FsLimits.ID_BATCH_MAX + 1)), Errno.EINVAL);
        long slice = fs.newSlice();
        SliceRef ok = SliceRef.newBuilder().setSliceId(slice).setSliceSize(10).setLength(10).build();
        refused(commit(file, 0, ok.toBuilder().setSliceId(9_999_999)), Errno.EINVAL);
        refused(commit(file, 0, ok.toBuilder().setPositionInChunk((int) FsLimits.CHUNK_SIZE_BYTES - 5)), Errno.EINVAL);
        refused(commit(file, 0, ok.toBuilder().setOffsetInSlice(5)), Errno.EINVAL);
        refused(commit(file, (int) (FsLimits.FILE_SIZE_BYTES_MAX / FsLimits.CHUNK_SIZE_BYTES), ok.toBuilder()), Errno.EFBIG);
        refused(commit(sub, 0, ok.toBuilder()), Errno.EISDIR);
    }

    private static MetaRequest.Builder commit(long inode, int chunk, SliceRef.Builder slice) {
        return MetaRequest.newBuilder().setCommitSlice(CommitSliceOp.newBuilder().setInode(inode).setChunkIndex(chunk)
                .setSlice(slice));
    }

    @Test
    void oversizedXattrs() throws Exception {
        refused(xattr(name("n".repeat(256)), name("v"), 0), Errno.ERANGE);
        refused(xattr(ByteString.EMPTY, name("v"), 0), Errno.EINVAL);
        refused(xattr(name("user.a"), ByteString.copyFrom(new byte[FsLimits.XATTR_VALUE_BYTES_MAX + 1]), 0), Errno.E2BIG);
        refused(xattr(name("user.a"), name("v"), FsLimits.XATTR_REPLACE), Errno.ENODATA);
        fs.ok(fs.run(xattr(name("user.a"), name("v"), FsLimits.XATTR_CREATE)));
        refused(xattr(name("user.a"), name("w"), FsLimits.XATTR_CREATE), Errno.EEXIST);
        MetaReply get = fs.query(MetaQuery.newBuilder().setGetxattr(GetXattrQuery.newBuilder().setInode(file)
                .setName(name("user.b"))));
        assertThat(errno(get)).isEqualTo(Errno.ENODATA);
    }

    private MetaRequest.Builder xattr(ByteString n, ByteString value, int flags) {
        return MetaRequest.newBuilder().setSetxattr(SetXattrOp.newBuilder().setInode(file).setName(n).setValue(value)
                .setFlags(flags));
    }

    @Test
    void noOpFormatTwiceAndStaleEpoch() throws Exception {
        refused(MetaRequest.newBuilder(), Errno.EINVAL);
        refused(MetaRequest.newBuilder().setFormat(FormatOp.newBuilder().setVolume("again")), Errno.EEXIST);
        refused(MetaRequest.newBuilder().setEpoch(99).setUnlink(UnlinkOp.newBuilder().setParent(sub)
                .setName(name("file"))), Errno.ESTALE);
        assertThat(fs.engine.volumeInfo().getEpoch()).isEqualTo(1);
        fs.ok(fs.run(MetaRequest.newBuilder().setEpoch(1).setUnlink(UnlinkOp.newBuilder().setParent(sub)
                .setName(name("file")))));
    }

    @Test
    void unformattedVolumeRefusesEverything() throws Exception {
        try (TestFs blank = new TestFs(NamespaceEngine.open(dir.resolve("blank")))) {
            assertThat(blank.engine.volumeInfo()).isNull();
            MetaReply r = blank.run(MetaRequest.newBuilder().setAllocateIds(
                    AllocateIdsOp.newBuilder().setKind(IdKind.INODE).setCount(1)));
            assertThat(errno(r)).isEqualTo(Errno.ENODEV);
            assertThat(errno(blank.query(MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(1)))))
                    .isEqualTo(Errno.ENODEV);
            assertThat(blank.engine.appliedIndex()).isEqualTo(1);
        }
    }

    @Test
    void malformedRequestBytes() throws Exception {
        assertThatThrownBy(() -> NamespaceEngine.parseRequest(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> NamespaceEngine.parseRequest(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(1).setSeq(1)).build().toByteArray()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no operation");
        assertThatThrownBy(() -> NamespaceEngine.parseRequest(MetaRequest.newBuilder()
                .setUnlink(UnlinkOp.getDefaultInstance()).build().toByteArray()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("request_id");
        MetaRequest good = MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(1).setSeq(2))
                .setUnlink(UnlinkOp.getDefaultInstance()).build();
        assertThat(NamespaceEngine.parseRequest(good.toByteArray())).isEqualTo(good);
    }

    @Test
    void retriedRequestIsAppliedOnce() throws Exception {
        MetaRequest create = MetaRequest.newBuilder().setCaller(TestFs.ROOT)
                .setRequestId(RequestId.newBuilder().setClientId(9).setSeq(1))
                .setCreate(CreateOp.newBuilder().setParent(sub).setName(name("once")).setType(FileType.REGULAR)
                        .setInode(fs.newInode())).build();
        MetaReply first = fs.run(create.toBuilder());
        fs.ok(first);
        byte[] before = fs.engine.digest(Set.of(Cf.META));
        MetaReply retry = fs.run(create.toBuilder());
        assertThat(retry).isEqualTo(first);
        assertThat(fs.engine.digest(Set.of(Cf.META))).isEqualTo(before);
        // A redelivered entry at an old index is skipped and answered from the dedup table too.
        LogEntry old = fs.log.get(fs.log.size() - 2);
        assertThat(fs.engine.apply(fs.index - 1, old)).isEqualTo(first);
        assertThat(fs.engine.digest(Set.of(Cf.META))).isEqualTo(before);
    }
}
