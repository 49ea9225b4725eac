package io.mirrorfs.meta.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.TrimChangelogOp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The changelog family: what is retained, its accounting, and the deterministic trim. */
class ChangelogTableTest {
    @TempDir
    Path dir;

    @Test
    void retainsEveryStateChangingEntryWithItsIndexAndAccountsForIt() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("a"))) {
            MirrorApplyTest.workload(fs, 0);
            List<ChangelogRow> rows = fs.engine.readChangelog(1, 10_000, Long.MAX_VALUE);
            // 2 refused/deduplicated entries (EEXIST create, the retried unlink) are not retained.
            assertThat(rows).hasSize(fs.log.size() - 2);
            long bytes = 0;
            for (ChangelogRow row : rows) {
                assertThat(LogEntry.parseFrom(row.logEntry())).isEqualTo(fs.log.get((int) row.index() - 1));
                bytes += Long.BYTES + row.logEntry().length;
            }
            ChangelogStats stats = fs.engine.changelogStats();
            assertThat(stats.firstIndex()).isEqualTo(1);
            assertThat(stats.entryCount()).isEqualTo(rows.size());
            assertThat(stats.bytes()).isEqualTo(bytes);
            assertThat(stats.trimmedBelow()).isZero();
            assertThat(stats.oldestTimeNs()).isEqualTo(fs.log.get(0).getTimeNs());
            assertThat(stats.appliedIndex()).isEqualTo(fs.index);

            assertThat(fs.engine.readChangelog(5, 3, Long.MAX_VALUE)).extracting(ChangelogRow::index)
                    .containsExactly(5L, 6L, 7L);
            assertThat(fs.engine.readChangelog(5, 100, 1)).hasSize(1);
        }
    }

    @Test
    void trimIsDeterministicBoundedAndRecordsWhereItStopped() throws Exception {
        try (TestFs a = TestFs.formatted(dir.resolve("a"));
                NamespaceEngine b = NamespaceEngine.open(dir.resolve("b"))) {
            MirrorApplyTest.workload(a, 0);
            MetaReply trimmed = a.run(trim(10));
            assertThat(Errno.of(trimmed.getErrno())).isEqualTo(Errno.OK);
            ChangelogStats stats = a.engine.changelogStats();
            assertThat(stats.trimmedBelow()).isEqualTo(10);
            assertThat(stats.firstIndex()).isGreaterThanOrEqualTo(10);
            assertThat(a.engine.readChangelog(1, 100, Long.MAX_VALUE).get(0).index()).isEqualTo(stats.firstIndex());
            long remaining = a.engine.readChangelog(1, 10_000, Long.MAX_VALUE).size();
            assertThat(stats.entryCount()).isEqualTo(remaining);

            // A trim never goes past the newest entry (changelog indexes, not Raft indexes: on a mirror they
            // are the primary's), and is not itself retained.
            a.run(trim(Long.MAX_VALUE));
            ChangelogStats all = a.engine.changelogStats();
            assertThat(all.entryCount()).isZero();
            assertThat(all.bytes()).isZero();
            assertThat(all.firstIndex()).isZero();
            assertThat(all.trimmedBelow()).isEqualTo(all.lastIndex() + 1);
            assertThat(all.lastIndex()).isLessThan(a.index);
            MirrorApplyTest.workload(a, 1);
            assertThat(a.engine.changelogStats().firstIndex()).isGreaterThan(all.trimmedBelow());

            // Another replica applying the same log reaches byte-identical state, changelog included.
            for (int i = 0; i < a.log.size(); i++) {
                b.apply(i + 1, a.log.get(i));
            }
            assertThat(b.digest()).isEqualTo(a.engine.digest());
        }
    }

    @Test
    void trimOfManyRowsProceedsInBoundedSteps() throws Exception {
        try (TestFs fs = TestFs.formatted(dir.resolve("a"))) {
            int n = ChangelogTable.TRIM_ROWS_MAX + 10;
            long d = fs.mkdir(TestFs.ROOT_INODE, "d");
            for (int i = 0; i < n; i++) {
                TestFs.ok(fs.run(MetaRequest.newBuilder().setSetxattr(io.mirrorfs.api.proto.SetXattrOp.newBuilder()
                        .setInode(d).setName(TestFs.name("user.k")).setValue(TestFs.name("v" + i)))));
            }
            long target = fs.index;
            fs.run(trim(target));
            ChangelogStats first = fs.engine.changelogStats();
            assertThat(first.trimmedBelow()).isLessThan(target);
            assertThat(first.entryCount()).isGreaterThan(0);
            fs.run(trim(target));
            ChangelogStats second = fs.engine.changelogStats();
            assertThat(second.trimmedBelow()).isEqualTo(target);
            assertThat(second.firstIndex()).isEqualTo(target);
            assertThat(second.entryCount()).isEqualTo(1);
        }
    }

    @Test
    void changelogSurvivesReopen() throws Exception {
        Path at = dir.resolve("a");
        try (TestFs fs = TestFs.formatted(at)) {
            MirrorApplyTest.workload(fs, 0);
            ChangelogStats before = fs.engine.changelogStats();
            fs.reopen(at);
            assertThat(fs.engine.changelogStats()).isEqualTo(before);
        }
    }

    static MetaRequest.Builder trim(long below) {
        return MetaRequest.newBuilder().setRequestId(RequestId.newBuilder().setClientId(1).setSeq(below))
                .setTrimChangelog(TrimChangelogOp.newBuilder().setBelowIndex(below).setReason("test"));
    }
}
