package io.mirrorfs.meta.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RenameOp;
import io.mirrorfs.api.proto.UnlinkOp;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror engine fed the primary's changelog through applyMirrored reaches the primary's namespace,
 * also when it restarts mid-stream, and refuses duplicated or reordered primary entries unchanged.
 */
class MirrorApplyTest {
    @TempDir
    Path dir;

    /** Local indexes on the mirror differ from the primary's: its own log has other entries too. */
    private long localIndex = 100;

    @Test
    void mirrorFedTheChangelogReachesTheSameNamespaceAcrossARestart() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("primary"))) {
            workload(primary, 0);
            Path mirrorDir = dir.resolve("mirror");
            NamespaceEngine mirror = NamespaceEngine.open(mirrorDir);
            try {
                List<ChangelogRow> rows = primary.engine.readChangelog(1, 10_000, Long.MAX_VALUE);
                int half = rows.size() / 2;
                feed(mirror, rows.subList(0, half));
                long primaryIndexBefore = mirror.primaryIndex();
                assertThat(primaryIndexBefore).isEqualTo(rows.get(half - 1).index());
                mirror.close();
                mirror = NamespaceEngine.open(mirrorDir);
                assertThat(mirror.primaryIndex()).as("primary index survives a restart").isEqualTo(primaryIndexBefore);
                // Resume exactly where the mirror says it is, as a Follow(from = primaryIndex + 1) would.
                feed(mirror, primary.engine.readChangelog(mirror.primaryIndex() + 1, 10_000, Long.MAX_VALUE));
                assertSameNamespace(primary.engine, mirror);

                workload(primary, 1);
                feed(mirror, primary.engine.readChangelog(mirror.primaryIndex() + 1, 10_000, Long.MAX_VALUE));
                assertSameNamespace(primary.engine, mirror);
                assertThat(mirror.primaryIndex()).isEqualTo(lastChangelogIndex(primary.engine));
            } finally {
                mirror.close();
            }
        }
    }

    @Test
    void duplicateOrReorderedPrimaryEntriesAreRefusedAndChangeNothing() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("primary"));
                NamespaceEngine mirror = NamespaceEngine.open(dir.resolve("mirror"))) {
            workload(primary, 0);
            List<ChangelogRow> rows = primary.engine.readChangelog(1, 10_000, Long.MAX_VALUE);
            feed(mirror, rows.subList(0, 5));
            byte[] before = mirror.digest();
            long applied = mirror.appliedIndex();
            long primaryIndex = mirror.primaryIndex();

            ChangelogRow again = rows.get(4);
            assertThatThrownBy(() -> mirror.applyMirrored(++localIndex, again.index(), parse(again)))
                    .isInstanceOf(MirrorOrderException.class)
                    .hasMessageContaining("refuses primary entry " + again.index())
                    .hasMessageContaining("already applied primary index " + primaryIndex);
            ChangelogRow earlier = rows.get(2);
            assertThatThrownBy(() -> mirror.applyMirrored(++localIndex, earlier.index(), parse(earlier)))
                    .isInstanceOf(MirrorOrderException.class);
            assertThat(HexFormat.of().formatHex(mirror.digest())).isEqualTo(HexFormat.of().formatHex(before));
            assertThat(mirror.appliedIndex()).isEqualTo(applied);
            assertThat(mirror.primaryIndex()).isEqualTo(primaryIndex);

            // The state machine skips a refused entry with markApplied, and the stream carries on.
            mirror.markApplied(localIndex);
            feed(mirror, rows.subList(5, rows.size()));
            assertSameNamespace(primary.engine, mirror);
        }
    }

    @Test
    void redeliveredLocalEntryIsSkippedNotRefused() throws Exception {
        try (TestFs primary = TestFs.formatted(dir.resolve("primary"));
                NamespaceEngine mirror = NamespaceEngine.open(dir.resolve("mirror"))) {
            workload(primary, 0);
            List<ChangelogRow> rows = primary.engine.readChangelog(1, 10_000, Long.MAX_VALUE);
            feed(mirror, rows);
            byte[] before = mirror.digest();
            // Ratis replays entries at or below the applied index after a restart: a no-op, not an error.
            ChangelogRow last = rows.get(rows.size() - 1);
            mirror.applyMirrored(localIndex, last.index(), parse(last));
            assertThat(mirror.digest()).isEqualTo(before);
        }
    }

    private void feed(NamespaceEngine mirror, List<ChangelogRow> rows) throws Exception {
        for (ChangelogRow row : rows) {
            mirror.markApplied(++localIndex); // an entry of the mirror's own (leader no-op, conf change)
            MetaReply reply = mirror.applyMirrored(++localIndex, row.index(), parse(row));
            assertThat(Errno.of(reply.getErrno())).as("mirror apply of primary entry " + row.index()).isEqualTo(Errno.OK);
            assertThat(mirror.primaryIndex()).isEqualTo(row.index());
        }
    }

    /** Creates, writes, renames, deletes; includes a refused op and a retried one, which the changelog leaves out. */
    static void workload(TestFs fs, int round) throws Exception {
        long d = fs.mkdir(TestFs.ROOT_INODE, "dir" + round);
        for (int i = 0; i < 6; i++) {
            long f = fs.file(d, "f" + i);
            TestFs.ok(fs.commit(f, 0, 0, 1000 + i));
            TestFs.ok(fs.commit(f, 0, 500, 4096));
        }
        TestFs.ok(fs.run(MetaRequest.newBuilder().setRename(RenameOp.newBuilder().setParent(d)
                .setName(TestFs.name("f0")).setNewParent(TestFs.ROOT_INODE).setNewName(TestFs.name("moved" + round)))));
        TestFs.ok(fs.run(MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(d).setName(TestFs.name("f1")))));
        assertThat(TestFs.errno(fs.create(d, "f2", FileType.REGULAR, 0644))).isEqualTo(Errno.EEXIST);
        MetaRequest.Builder retried = MetaRequest.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(d).setName(TestFs.name("f3")));
        TestFs.ok(fs.run(retried));
        TestFs.ok(fs.run(retried.clone()));
    }

    static LogEntry parse(ChangelogRow row) throws Exception {
        return LogEntry.parseFrom(row.logEntry());
    }

    static long lastChangelogIndex(NamespaceEngine engine) throws Exception {
        List<ChangelogRow> rows = engine.readChangelog(1, 100_000, Long.MAX_VALUE);
        return rows.get(rows.size() - 1).index();
    }

    private static void assertSameNamespace(NamespaceEngine primary, NamespaceEngine mirror) {
        assertThat(HexFormat.of().formatHex(mirror.namespaceDigest()))
                .isEqualTo(HexFormat.of().formatHex(primary.namespaceDigest()));
    }
}
