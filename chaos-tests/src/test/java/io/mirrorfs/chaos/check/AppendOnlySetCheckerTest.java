package io.mirrorfs.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppendOnlySetCheckerTest {

    private static Histories adds() {
        return new Histories()
                .add(0, OpType.ADD, "s", "a", 0, 1, Outcome.OK)
                .add(1, OpType.ADD, "s", "b", 0, 1, Outcome.OK)
                .add(2, OpType.ADD, "s", "maybe", 0, 1, Outcome.INFO)
                .add(3, OpType.ADD, "s", "refused", 0, 1, Outcome.FAIL)
                .add(3, OpType.ADD, "other-set", "x", 0, 1, Outcome.OK);
    }

    @Test
    void everyAcknowledgedAddPresentIsValidWhateverBecameOfIndeterminateOnes() {
        assertThat(AppendOnlySetChecker.check("s", adds().build(), List.of("a", "b")).validity()).isEqualTo(Validity.VALID);
        Verdict v = AppendOnlySetChecker.check("s", adds().build(), List.of("b", "maybe", "a"));
        assertThat(v.validity()).isEqualTo(Validity.VALID);
        assertThat(v.summary()).contains("1 indeterminate (1 present)");
    }

    @Test
    void lostAcknowledgedAddIsReported() {
        Verdict v = AppendOnlySetChecker.check("s", adds().build(), List.of("a", "maybe"));
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).containsExactly("1 acknowledged add lost: [b]");
    }

    @Test
    void elementNeverAddedOrWhoseAddFailedIsReported() {
        Verdict v = AppendOnlySetChecker.check("s", adds().build(), List.of("a", "b", "ghost", "refused", "x"));
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).containsExactly(
                "2 present but never added: [ghost, x]",
                "1 present although its add failed: [refused]");
    }

    @Test
    void duplicateInTheListingIsReported() {
        Verdict v = AppendOnlySetChecker.check("s", adds().build(), List.of("a", "b", "a"));
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).containsExactly("1 listed more than once: [a]");
    }

    @Test
    void retriedAddCountsAsAcknowledgedIfAnyAttemptWasAcknowledged() {
        Histories h = new Histories()
                .add(0, OpType.ADD, "s", "a", 0, 1, Outcome.INFO)
                .add(0, OpType.ADD, "s", "a", 2, 3, Outcome.OK);
        assertThat(AppendOnlySetChecker.check("s", h.build(), List.of()).anomalies())
                .containsExactly("1 acknowledged add lost: [a]");
    }
}
