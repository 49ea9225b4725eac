package io.mirrorfs.chaos.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session and bounded-staleness checkers on hand-made good and bad histories. */
class MirrorCheckersTest {
    private final List<Operation> ops = new ArrayList<>();

    private MirrorCheckersTest w(int process, String key, String value, long invoke, long complete) {
        ops.add(new Operation(ops.size(), process, OpType.WRITE, key, value, invoke, complete, Outcome.OK, null));
        return this;
    }

    private MirrorCheckersTest r(int process, String key, String observed, long invoke, long complete) {
        ops.add(new Operation(ops.size(), process, OpType.READ, key, observed, invoke, complete, Outcome.OK, null));
        return this;
    }

    private Verdict session() {
        return new SessionGuaranteesChecker().check(ops);
    }

    private Verdict bounded(long bound) {
        return new BoundedStalenessChecker(bound).check(ops);
    }

    @Test
    void sessionAcceptsStaleReadsOfOthersWritesButNotOfOwnWrites() {
        w(0, "shared", "1", 0, 10).w(0, "shared", "2", 20, 30); // another client's writes
        w(1, "own", "a", 0, 5).r(1, "own", "a", 6, 7);          // read your write
        r(1, "shared", "1", 40, 41).r(1, "shared", "2", 50, 51); // stale but moving forward: fine
        assertThat(session().validity()).isEqualTo(Validity.VALID);

        r(1, "own", null, 60, 61); // its own acknowledged write vanished
        Verdict v = session();
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).anyMatch(a -> a.startsWith("read-your-writes"));
    }

    @Test
    void sessionRejectsGoingBackInTime() {
        w(0, "k", "1", 0, 10).w(0, "k", "2", 20, 30);
        r(1, "k", "2", 40, 41).r(1, "k", "1", 50, 51);
        Verdict v = session();
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).anyMatch(a -> a.startsWith("monotonic reads"));
        // Another process may still see the old value: monotonicity is per session.
        ops.remove(ops.size() - 1);
        r(2, "k", "1", 50, 51);
        assertThat(session().validity()).isEqualTo(Validity.VALID);
    }

    @Test
    void readsOfValuesNeverWrittenOrFromTheFutureAreInvalid() {
        w(0, "k", "1", 0, 10);
        r(1, "k", "7", 20, 21);
        assertThat(session().validity()).isEqualTo(Validity.INVALID);
        assertThat(bounded(1_000).validity()).isEqualTo(Validity.INVALID);
        ops.clear();
        r(1, "k", "1", 0, 1).w(0, "k", "1", 5, 10);
        assertThat(session().anomalies()).anyMatch(a -> a.contains("began after the read ended"));
    }

    @Test
    void overlappingWritesToOneKeyMakeTheOrderUnknown() {
        w(0, "k", "1", 0, 10).w(1, "k", "2", 5, 15).r(2, "k", "2", 20, 21);
        assertThat(session().validity()).isEqualTo(Validity.UNKNOWN);
        assertThat(bounded(5).validity()).isEqualTo(Validity.UNKNOWN);
    }

    @Test
    void boundedAcceptsStalenessWithinTheBoundOnly() {
        w(0, "k", "1", 0, 10).w(0, "k", "2", 100, 110).w(0, "k", "3", 200, 210);
        r(1, "k", "1", 150, 151); // write 2 completed at 110 > 150 - 50: may be missed
        r(1, "k", "2", 250, 251); // write 3 completed at 210 > 250 - 50: may be missed
        r(2, "k", "3", 260, 261); // newest: fine
        assertThat(bounded(50).validity()).isEqualTo(Validity.VALID);

        r(3, "k", "1", 300, 301); // write 3 completed at 210 < 300 - 50: too stale
        Verdict v = bounded(50);
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).singleElement().asString().contains("missed #1");
        assertThat(bounded(200).validity()).isEqualTo(Validity.VALID); // 300 - 200 = 100 < 110: only #0 required
    }

    @Test
    void anAbsentRegisterIsOnlyFineBeforeTheBound() {
        w(0, "k", "1", 0, 10);
        r(1, "k", null, 30, 31);
        assertThat(bounded(25).validity()).isEqualTo(Validity.VALID);
        assertThat(bounded(15).validity()).isEqualTo(Validity.INVALID);
    }
}
