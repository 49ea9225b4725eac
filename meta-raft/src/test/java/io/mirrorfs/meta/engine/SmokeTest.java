package io.mirrorfs.meta.engine;

import static io.mirrorfs.meta.engine.TestFs.ROOT_INODE;
import static io.mirrorfs.meta.engine.TestFs.errno;
import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.ReadChunkQuery;
import io.mirrorfs.api.proto.ReadDirQuery;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void formatMkdirCreateReaddirWrite() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("db"))) {
            assertThat(fs.engine.volumeInfo().getVolume()).isEqualTo("vol");
            long d = fs.mkdir(ROOT_INODE, "d");
            long f = fs.file(d, "f");
            assertThat(fs.attr(ROOT_INODE).getNlink()).isEqualTo(3);
            assertThat(errno(fs.create(d, "f", io.mirrorfs.api.proto.FileType.REGULAR, 0644))).isEqualTo(Errno.EEXIST);
            TestFs.ok(fs.commit(f, 0, 10, 100));
            assertThat(fs.attr(f).getSize()).isEqualTo(110);
            var chunk = fs.query(MetaQuery.newBuilder().setReadChunk(ReadChunkQuery.newBuilder().setInode(f)));
            assertThat(chunk.getChunk().getSlicesCount()).isEqualTo(1);
            var rd = fs.query(MetaQuery.newBuilder().setReaddir(ReadDirQuery.newBuilder().setInode(d).setWithAttrs(true)));
            assertThat(rd.getReaddir().getEntriesCount()).isEqualTo(1);
            assertThat(rd.getReaddir().getEof()).isTrue();
            assertThat(rd.getIndex()).isEqualTo(fs.index);
            fs.reopen(dir.resolve("db"));
            assertThat(fs.attr(f).getSize()).isEqualTo(110);
            assertThat(fs.lookup(d, "f").getAttr().getInode()).isEqualTo(f);
        }
    }
}
