package io.mirrorfs.meta.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.CommitSliceOp;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.SetAttrOp;
import io.mirrorfs.api.proto.SetXattrOp;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.api.proto.UnlinkOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Seeded random namespace mutations (mkdir, create, symlink, rename, commit slice, setattr, setxattr,
 * unlink) through a MetadataClient. Names are unique, so every op is expected to succeed.
 */
final class Workload {
    private static final Caller ROOT = Caller.newBuilder().setUid(0).setGid(0).build();
    private static final int SLICE_BYTES = 4096;

    private record File(long parent, String name, long inode) {}

    private final MetadataClient client;
    private final Random random;
    private final RequestIds ids = new RequestIds(4242);
    private final List<Long> dirs = new ArrayList<>(List.of(FsLimits.ROOT_INODE));
    private final List<File> files = new ArrayList<>();
    private long nextInode;
    private long inodesLeft;
    private long nextSlice;
    private long slicesLeft;
    private long names;

    Workload(MetadataClient client, long seed) {
        this.client = client;
        this.random = new Random(seed);
    }

    void format(String volume) throws Exception {
        run(MetaRequest.newBuilder().setFormat(FormatOp.newBuilder().setVolume(volume)));
    }

    void run(int ops) throws Exception {
        for (int i = 0; i < ops; i++) {
            int kind = files.isEmpty() ? 0 : random.nextInt(10);
            switch (kind) {
                case 0, 1 -> create(FileType.REGULAR);
                case 2 -> create(random.nextBoolean() ? FileType.DIRECTORY : FileType.SYMLINK);
                case 3 -> rename();
                case 4, 5 -> commitSlice();
                case 6 -> setattr();
                case 7 -> setxattr();
                case 8 -> unlink();
                default -> create(FileType.REGULAR);
            }
        }
    }

    private void create(FileType type) throws Exception {
        long parent = dirs.get(random.nextInt(dirs.size()));
        String name = "n" + (++names);
        long inode = newInode();
        CreateOp.Builder op = CreateOp.newBuilder().setParent(parent).setName(bytes(name)).setType(type)
                .setMode(type == FileType.DIRECTORY ? 0755 : 0644).setInode(inode);
        if (type == FileType.SYMLINK) {
            op.setSymlinkTarget(bytes("../target-" + names));
        }
        run(MetaRequest.newBuilder().setCreate(op));
        if (type == FileType.DIRECTORY) {
            dirs.add(inode);
        } else {
            files.add(new File(parent, name, inode));
        }
    }

    private void rename() throws Exception {
        File f = files.remove(random.nextInt(files.size()));
        long newParent = dirs.get(random.nextInt(dirs.size()));
        String newName = "r" + (++names);
        run(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(f.parent()).setName(bytes(f.name()))
                .setNewParent(newParent).setNewName(bytes(newName))));
        files.add(new File(newParent, newName, f.inode()));
    }

    private void commitSlice() throws Exception {
        File f = files.get(random.nextInt(files.size()));
        SliceRef slice = SliceRef.newBuilder().setSliceId(newSlice()).setSliceSize(SLICE_BYTES).setLength(SLICE_BYTES)
                .setPositionInChunk(SLICE_BYTES * random.nextInt(16)).addBlockCrc32C(random.nextInt()).build();
        MetaRequest.Builder r = MetaRequest.newBuilder()
                .setCommitSlice(CommitSliceOp.newBuilder().setInode(f.inode()).setSlice(slice));
        runAllowing(r, true);
    }

    private void setattr() throws Exception {
        File f = files.get(random.nextInt(files.size()));
        run(MetaRequest.newBuilder().setSetattr(SetAttrOp.newBuilder().setInode(f.inode())
                .setValid(FsLimits.SET_MODE | FsLimits.SET_UID).setMode(0600 | random.nextInt(8)).setUid(random.nextInt(3))));
    }

    private void setxattr() throws Exception {
        File f = files.get(random.nextInt(files.size()));
        run(MetaRequest.newBuilder().setSetxattr(SetXattrOp.newBuilder().setInode(f.inode())
                .setName(bytes("user.k" + random.nextInt(3))).setValue(bytes("v" + random.nextInt()))));
    }

    private void unlink() throws Exception {
        File f = files.remove(random.nextInt(files.size()));
        run(MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(f.parent()).setName(bytes(f.name()))));
    }

    private long newInode() throws Exception {
        if (inodesLeft == 0) {
            MetaReply r = run(MetaRequest.newBuilder().setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.INODE).setCount(128)));
            nextInode = r.getIds().getFirst();
            inodesLeft = r.getIds().getCount();
        }
        inodesLeft--;
        return nextInode++;
    }

    private long newSlice() throws Exception {
        if (slicesLeft == 0) {
            MetaReply r = run(MetaRequest.newBuilder().setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.SLICE).setCount(128)));
            nextSlice = r.getIds().getFirst();
            slicesLeft = r.getIds().getCount();
        }
        slicesLeft--;
        return nextSlice++;
    }

    private MetaReply run(MetaRequest.Builder request) throws Exception {
        return runAllowing(request, false);
    }

    /** Symlinks are kept in the files list too; a commit to one is refused (EINVAL-like), which is fine. */
    private MetaReply runAllowing(MetaRequest.Builder request, boolean mayFail) throws Exception {
        MetaReply reply = client.mutate(request.setCaller(ROOT).setRequestId(ids.next()).build()).get(30, TimeUnit.SECONDS);
        if (!mayFail) {
            assertThat(reply.getErrno()).as("%s on the primary", request.getOpCase()).isZero();
        }
        return reply;
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
