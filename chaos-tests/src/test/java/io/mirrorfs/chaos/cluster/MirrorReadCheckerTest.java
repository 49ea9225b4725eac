package io.mirrorfs.chaos.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.chaos.check.MirrorRead;
import io.mirrorfs.chaos.check.MirrorReadChecker;
import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.check.WatermarkAudit;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The mirror checkers on hand-made histories (no containers): each rule of {@link MirrorReadChecker}
 * accepts a good history and rejects one that breaks it; {@link WatermarkAudit} flags a block missing
 * or corrupt below the watermark and ignores files above it.
 */
class MirrorReadCheckerTest {
    /** Counter writes 1..3 sent at t=0, 10, 20 and committed at primary index 10, 20, 30. */
    private static final List<Operation> WRITES = List.of(write(0, "1", 0), write(1, "2", 10), write(2, "3", 20));
    private static final TreeMap<Long, Long> COMMITTED = new TreeMap<>(Map.of(10L, 1L, 20L, 2L, 30L, 3L));

    private static Operation write(int id, String value, long at) {
        return new Operation(id, 0, OpType.WRITE, "counter", value, at, at + 5, Outcome.OK, null);
    }

    private static Verdict check(MirrorRead... reads) {
        return MirrorReadChecker.check(List.of(reads), COMMITTED, WRITES, "counter");
    }

    @Test
    void readsThatOnlyMoveForwardAreValid() {
        Verdict v = check(new MirrorRead(1, 6, 8, 10, 0, 1), new MirrorRead(2, 7, 30, 20, 10, 2),
                new MirrorRead(1, 31, 40, 30, 30, 3));
        assertThat(v.validity()).as(v.toString()).isEqualTo(Validity.VALID);
    }

    @Test
    void overlappingReadsMayBeSeenInEitherOrder() {
        // Read 2 began before read 1 ended: no order between them, a smaller index is fine.
        Verdict v = check(new MirrorRead(1, 20, 30, 30, 0, 3), new MirrorRead(2, 25, 35, 20, 0, 2));
        assertThat(v.validity()).as(v.toString()).isEqualTo(Validity.VALID);
    }

    @Test
    void primaryIndexGoingBackAcrossReadsIsInvalid() {
        Verdict v = check(new MirrorRead(1, 20, 25, 30, 0, 3), new MirrorRead(2, 26, 30, 20, 0, 3));
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).anySatisfy(a -> assertThat(a).startsWith("primary index went back from 30 to 20"));
    }

    @Test
    void watermarkGoingBackOrAboveTheIndexIsInvalid() {
        Verdict back = check(new MirrorRead(1, 20, 25, 30, 20, 3), new MirrorRead(2, 26, 30, 30, 10, 3));
        assertThat(back.anomalies()).anySatisfy(a -> assertThat(a).startsWith("data watermark went back"));
        Verdict above = check(new MirrorRead(1, 20, 25, 20, 30, 2));
        assertThat(above.anomalies()).singleElement().asString().startsWith("watermark 30 above primary index 20");
    }

    @Test
    void aValueOlderThanTheReadsOwnIndexIsInvalid() {
        Verdict v = check(new MirrorRead(1, 22, 25, 30, 0, 2));
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).singleElement().asString().startsWith("stale under its own index");
    }

    @Test
    void aValueNotYetWrittenIsInvalid() {
        Verdict v = check(new MirrorRead(1, 6, 8, 10, 0, 2));
        assertThat(v.anomalies()).anySatisfy(a -> assertThat(a).startsWith("read 2 before it was written"));
    }

    @Test
    void watermarkAuditFlagsMissingAndCorruptBlocksOnlyBelowTheWatermark() throws Exception {
        byte[] good = {1, 2, 3};
        DataFileWorkload.WrittenFile covered = new DataFileWorkload.WrittenFile("a", 5, 10, List.of(
                new DataFileWorkload.Block("k1", 3, DataFileWorkload.crc32c(good)),
                new DataFileWorkload.Block("k2", 3, DataFileWorkload.crc32c(good)),
                new DataFileWorkload.Block("k3", 3, DataFileWorkload.crc32c(good))));
        DataFileWorkload.WrittenFile above = new DataFileWorkload.WrittenFile("b", 6, 50, List.of(
                new DataFileWorkload.Block("k4", 3, DataFileWorkload.crc32c(good))));
        Map<String, byte[]> store = new HashMap<>(Map.of("k1", good, "k3", new byte[] {1, 2, 4}));
        WatermarkAudit audit = new WatermarkAudit(k -> Optional.ofNullable(store.get(k)), () -> List.of(covered, above));

        audit.audit(20);
        Verdict v = audit.verdict();
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).hasSize(2);
        assertThat(v.anomalies().get(0)).contains("k2 missing");
        assertThat(v.anomalies().get(1)).contains("k3 corrupt");

        WatermarkAudit clean = new WatermarkAudit(k -> Optional.ofNullable(store.get(k)), () -> List.of(above));
        clean.audit(20);
        assertThat(clean.verdict().validity()).isEqualTo(Validity.VALID);
    }
}
