package io.mirrorfs.meta.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.LogEntry;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.NamespaceEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's MirroredOp: a chained entry applies at the primary's index; a duplicate, a skip or a
 * reordering is refused deterministically (ESTALE + the mirror's primary index, applied index
 * advanced, namespace unchanged); MirrorStateQuery answers even before the volume is formatted.
 */
class MirroredOpApplyTest {
    @TempDir
    Path dir;

    @Test
    void chainedEntriesApplyAndDuplicatesSkipsAndReorderingsAreRefused() throws Exception {
        try (NamespaceEngine primaryEngine = NamespaceEngine.open(dir.resolve("p"));
             NamespaceEngine mirror = NamespaceEngine.open(dir.resolve("m"))) {
            EngineClient primary = new EngineClient(primaryEngine, i -> { });
            Workload work = new Workload(primary, 3);
            work.format("vol");
            work.run(40);
            List<ChangelogRow> rows = primaryEngine.readChangelog(1, 10_000, 1L << 30);
            assertThat(rows).hasSizeGreaterThan(40);
            assertThat(mirrorState(mirror)).isZero();

            long local = 0;
            long previous = 0;
            for (int i = 0; i < 10; i++) {
                MetaReply r = mirror.apply(++local, entry(previous, rows.get(i)));
                assertThat(r.getErrno()).isZero();
                previous = rows.get(i).index();
            }
            assertThat(mirrorState(mirror)).isEqualTo(previous);
            byte[] before = mirror.namespaceDigest();

            // Deliberate refusals: the last entry again (chained either way: a re-proposal), a later entry
            // whose predecessor never applied (a lost or reordered proposal), and an older entry.
            for (LogEntry bad : List.of(entry(previous, rows.get(9)), entry(rows.get(8).index(), rows.get(9)),
                    entry(rows.get(10).index(), rows.get(11)), entry(rows.get(7).index(), rows.get(8)))) {
                MetaReply refused = mirror.apply(++local, bad);
                assertThat(refused.getErrno()).as("reply %s local %d applied %d", refused, local, mirror.appliedIndex()).isEqualTo(Errno.ESTALE.code());
                assertThat(refused.getMirrorState().getPrimaryIndex()).isEqualTo(previous);
                assertThat(mirror.appliedIndex()).isEqualTo(local);
                assertThat(mirror.namespaceDigest()).isEqualTo(before);
            }

            for (int i = 10; i < rows.size(); i++) {
                assertThat(mirror.apply(++local, entry(previous, rows.get(i))).getErrno()).isZero();
                previous = rows.get(i).index();
            }
            assertThat(mirror.namespaceDigest()).isEqualTo(primaryEngine.namespaceDigest());
            assertThat(TreeDigest.of(new EngineClient(mirror, i -> { }), java.time.Duration.ofSeconds(5), 10_000))
                    .isEqualTo(TreeDigest.of(primary, java.time.Duration.ofSeconds(5), 10_000));
        }
    }

    private static LogEntry entry(long previous, ChangelogRow row) throws Exception {
        ChangelogEntry e = ChangelogEntry.newBuilder().setIndex(row.index()).setEntry(LogEntry.parseFrom(row.logEntry())).build();
        return NamespaceEngine.prepare(MirroredOps.mirrored(previous, e), 42);
    }

    private static long mirrorState(NamespaceEngine engine) {
        MetaReply r = engine.query(MirroredOps.mirrorState());
        assertThat(r.getErrno()).isZero();
        return r.getMirrorState().getPrimaryIndex();
    }
}
