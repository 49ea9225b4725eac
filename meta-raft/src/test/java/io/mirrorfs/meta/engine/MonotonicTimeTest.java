package io.mirrorfs.meta.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.CreateOp;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.GetAttrQuery;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.SetAttrOp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new leader's clock may be behind the old leader's. Clients decide whether a file changed by
 * comparing mtime/ctime, so the engine must never stamp a change with a time at or before an earlier
 * stamp, whatever the entries' own times say.
 */
class MonotonicTimeTest {
    @TempDir Path dir;

    @Test
    void stampsStrictlyIncreaseWhenTheLeadersClockGoesBackwards() throws Exception {
        try (TestFs fs = TestFs.formatted(dir)) {
            long inode = fs.newInode();
            MetaReply created = fs.run(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder()
                    .setParent(FsLimits.ROOT_INODE).setName(TestFs.name("f")).setType(FileType.REGULAR)
                    .setMode(0644).setInode(inode)));
            assertThat(created.getErrno()).isZero();
            long firstCtime = attr(fs, inode).getCtimeNs();

            fs.timeNs -= 10_000_000_000L; // the next leader's clock is ten seconds behind
            MetaReply chmod = fs.run(MetaRequest.newBuilder().setSetattr(
                    SetAttrOp.newBuilder().setInode(inode).setValid(FsLimits.SET_MODE).setMode(0600)));
            assertThat(chmod.getErrno()).isZero();

            assertThat(attr(fs, inode).getCtimeNs()).isGreaterThan(firstCtime);
        }
    }

    @Test
    void stampsFollowTheClockWhenItMovesForward() throws Exception {
        try (TestFs fs = TestFs.formatted(dir)) {
            long inode = fs.newInode();
            fs.run(MetaRequest.newBuilder().setCreate(CreateOp.newBuilder().setParent(FsLimits.ROOT_INODE)
                    .setName(TestFs.name("g")).setType(FileType.REGULAR).setMode(0644).setInode(inode)));
            assertThat(attr(fs, inode).getCtimeNs()).isEqualTo(fs.timeNs);
        }
    }

    private static Attr attr(TestFs fs, long inode) {
        MetaReply reply = fs.query(MetaQuery.newBuilder().setGetattr(GetAttrQuery.newBuilder().setInode(inode)));
        assertThat(reply.getErrno()).isZero();
        return reply.getAttr();
    }
}
