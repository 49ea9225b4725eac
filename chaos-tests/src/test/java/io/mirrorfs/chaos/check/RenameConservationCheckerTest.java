package io.mirrorfs.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenameConservationCheckerTest {
    private static final Map<String, String> INITIAL = Map.of("i1", "f1", "i2", "f2", "i3", "f3");

    private static Histories history() {
        return new Histories()
                .add(0, OpType.ADD, "d", "i1", 0, 1, Outcome.OK)
                .add(0, OpType.ADD, "d", "i2", 0, 1, Outcome.OK)
                .add(0, OpType.ADD, "d", "i3", 0, 1, Outcome.INFO)
                .add(1, OpType.RENAME, "i1", "g1", 2, 3, Outcome.OK)
                .add(2, OpType.RENAME, "i2", "g2", 2, 3, Outcome.INFO)
                .add(2, OpType.RENAME, "i2", "h2", 4, 5, Outcome.FAIL);
    }

    private static Verdict check(List<Map.Entry<String, String>> listing) {
        return RenameConservationChecker.check("d", history().build(), INITIAL, listing);
    }

    @Test
    void everyItemOnceUnderAPossibleNameIsValid() {
        assertThat(check(List.of(Map.entry("g1", "i1"), Map.entry("f2", "i2"))).validity()).isEqualTo(Validity.VALID);
        assertThat(check(List.of(Map.entry("g1", "i1"), Map.entry("g2", "i2"), Map.entry("f3", "i3"))).validity())
                .isEqualTo(Validity.VALID);
    }

    @Test
    void itemLostByARenameIsReported() {
        Verdict v = check(List.of(Map.entry("f2", "i2")));
        assertThat(v.anomalies()).containsExactly("1 acknowledged items lost: [i1]");
    }

    @Test
    void itemUnderTwoNamesIsReported() {
        Verdict v = check(List.of(Map.entry("f1", "i1"), Map.entry("g1", "i1"), Map.entry("f2", "i2")));
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).containsExactly("1 items present under more than one name: [i1 x2]");
    }

    @Test
    void itemUnderAFailedRenameTargetOrUnknownItemIsReported() {
        Verdict v = check(List.of(Map.entry("g1", "i1"), Map.entry("h2", "i2"), Map.entry("zz", "i9")));
        assertThat(v.anomalies()).containsExactly(
                "1 unknown or failed-create items present: [i9 as zz]",
                "1 items under a name they were never renamed to: [i2 as h2]");
    }
}
