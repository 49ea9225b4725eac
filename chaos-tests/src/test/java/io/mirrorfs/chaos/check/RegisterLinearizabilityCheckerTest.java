package io.mirrorfs.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checker against histories whose answer is known by construction or by hand. */
class RegisterLinearizabilityCheckerTest {
    private final RegisterLinearizabilityChecker checker = RegisterLinearizabilityChecker.withDefaultBudget();

    private Validity check(Histories h) {
        return checker.check(h.build()).validity();
    }

    @Test
    void emptyHistoryAndReadsOfTheInitialAbsentValueAreLinearizable() {
        assertThat(check(new Histories())).isEqualTo(Validity.VALID);
        assertThat(check(new Histories().read(0, null, 0, 1).read(1, null, 2, 3))).isEqualTo(Validity.VALID);
    }

    @Test
    void sequentialWritesAndReadsOfTheLatestValueAreLinearizable() {
        Histories h = new Histories()
                .write(0, "a", 0, 10).read(1, "a", 11, 20)
                .write(1, "b", 21, 30).read(0, "b", 31, 40).read(2, "b", 41, 50);
        assertThat(check(h)).isEqualTo(Validity.VALID);
    }

    @Test
    void staleReadAfterANewerAcknowledgedWriteIsNotLinearizable() {
        Histories h = new Histories().write(0, "a", 0, 10).write(0, "b", 20, 30).read(1, "a", 40, 50);
        Verdict v = checker.check(h.build());
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.anomalies()).singleElement().asString().contains("key k").contains("READ k->a");
    }

    @Test
    void lostWriteIsNotLinearizable() {
        Histories h = new Histories().write(0, "a", 0, 10).read(1, null, 20, 30);
        assertThat(check(h)).isEqualTo(Validity.INVALID);
    }

    @Test
    void readOfANeverWrittenValueIsNotLinearizable() {
        Histories h = new Histories().write(0, "a", 0, 10).read(1, "zzz", 20, 30);
        assertThat(check(h)).isEqualTo(Validity.INVALID);
    }

    @Test
    void readConcurrentWithAWriteMaySeeEitherValue() {
        Histories old = new Histories().write(0, "a", 0, 10).write(0, "b", 20, 40).read(1, "a", 25, 35);
        Histories fresh = new Histories().write(0, "a", 0, 10).write(0, "b", 20, 40).read(1, "b", 25, 35);
        assertThat(check(old)).isEqualTo(Validity.VALID);
        assertThat(check(fresh)).isEqualTo(Validity.VALID);
    }

    @Test
    void readsMustNotGoBackInTimeEvenDuringAConcurrentWrite() {
        // The write overlaps both reads, but the first read already saw it: the later one must too.
        Histories h = new Histories().write(0, "a", 0, 100).read(1, "a", 10, 20).read(2, null, 30, 40);
        assertThat(check(h)).isEqualTo(Validity.INVALID);
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrderButOnlyOne() {
        Histories aThenB = new Histories().write(0, "a", 0, 10).write(1, "b", 0, 10).read(2, "b", 20, 21);
        Histories bThenA = new Histories().write(0, "a", 0, 10).write(1, "b", 0, 10).read(2, "a", 20, 21);
        Histories both = new Histories().write(0, "a", 0, 10).write(1, "b", 0, 10)
                .read(2, "a", 20, 21).read(2, "b", 22, 23);
        assertThat(check(aThenB)).isEqualTo(Validity.VALID);
        assertThat(check(bThenA)).isEqualTo(Validity.VALID);
        assertThat(check(both)).isEqualTo(Validity.INVALID);
    }

    @Test
    void opsThatTouchInTimeCountAsConcurrent() {
        // The read is invoked at the very nanosecond the write returns: either order is possible.
        Histories h = new Histories().write(0, "a", 0, 10).write(0, "b", 10, 20).read(1, "a", 20, 30);
        assertThat(check(h)).isEqualTo(Validity.VALID);
    }

    @Test
    void indeterminateWriteThatTookEffectIsLinearizable() {
        Histories h = new Histories().write(0, "a", 0, 10)
                .write(1, "k", "b", 20, 30, Outcome.INFO)
                .read(2, "b", 1_000, 1_010);
        assertThat(check(h)).isEqualTo(Validity.VALID);
    }

    @Test
    void indeterminateWriteMayTakeEffectLongAfterTheClientGaveUp() {
        Histories h = new Histories().write(0, "a", 0, 10)
                .write(1, "k", "b", 20, 30, Outcome.INFO)
                .read(2, "a", 100, 110)
                .read(2, "b", 200, 210);
        assertThat(check(h)).isEqualTo(Validity.VALID);
    }

    @Test
    void indeterminateWriteThatNeverTookEffectIsLinearizable() {
        Histories h = new Histories().write(0, "a", 0, 10)
                .write(1, "k", "b", 20, 30, Outcome.INFO)
                .read(2, "a", 1_000, 1_010);
        assertThat(check(h)).isEqualTo(Validity.VALID);
    }

    @Test
    void indeterminateWriteCannotTakeEffectBeforeItWasInvoked() {
        Histories h = new Histories().read(2, "b", 0, 10)
                .write(1, "k", "b", 20, 30, Outcome.INFO);
        assertThat(check(h)).isEqualTo(Validity.INVALID);
    }

    @Test
    void indeterminateWriteTakesEffectAtMostOnce() {
        // b is seen, then overwritten by c, then seen again: b's single write cannot explain both.
        Histories h = new Histories().write(1, "k", "b", 0, 10, Outcome.INFO)
                .read(0, "b", 20, 30).write(0, "c", 40, 50).read(0, "b", 60, 70);
        assertThat(check(h)).isEqualTo(Validity.INVALID);
    }

    @Test
    void failedWriteMustNotBeObserved() {
        Histories h = new Histories().write(0, "a", 0, 10)
                .write(1, "k", "b", 20, 30, Outcome.FAIL)
                .read(2, "b", 40, 50);
        assertThat(check(h)).isEqualTo(Validity.INVALID);
    }

    @Test
    void keysAreCheckedIndependentlyAndOneBadKeyFailsTheHistory() {
        Histories h = new Histories()
                .write(0, "x", "1", 0, 10, Outcome.OK).read(1, "x", "1", 20, 30)
                .write(0, "y", "1", 0, 10, Outcome.OK).write(0, "y", "2", 20, 30, Outcome.OK).read(1, "y", "1", 40, 50);
        Verdict v = checker.check(h.build());
        assertThat(v.validity()).isEqualTo(Validity.INVALID);
        assertThat(v.summary()).contains("2 keys").contains("1 not linearizable");
        assertThat(v.anomalies()).singleElement().asString().startsWith("key y");
    }

    @Test
    void randomHistoriesOfAnAtomicRegisterAreLinearizableAndAStaleReadBreaksThem() {
        for (long seed = 1; seed <= 30; seed++) {
            List<Operation> good = atomicRegisterHistory(new Random(seed), 6, 120);
            assertThat(checker.check(good).validity()).as("seed %d", seed).isEqualTo(Validity.VALID);
            List<Operation> bad = withOneStaleRead(good);
            if (bad != null) {
                assertThat(checker.check(bad).validity()).as("seed %d with a stale read", seed).isEqualTo(Validity.INVALID);
            }
        }
    }

    @Test
    void aTinyBudgetAnswersUnknownInsteadOfSearchingForever() {
        List<Operation> h = atomicRegisterHistory(new Random(7), 8, 300);
        Verdict v = new RegisterLinearizabilityChecker(50, 1_000).check(h);
        assertThat(v.validity()).isEqualTo(Validity.UNKNOWN);
        assertThat(v.anomalies()).singleElement().asString().contains("budget");
    }

    /**
     * A history of a truly atomic register: each op takes effect at a random instant inside its
     * [invoke, complete] window, and reads return the value at that instant. Some writes are reported
     * INFO (with effect) and some FAIL (without), to exercise those paths too.
     */
    static List<Operation> atomicRegisterHistory(Random random, int processes, int opsTotal) {
        record Planned(int process, OpType type, String value, long invoke, long at, long complete, Outcome outcome) {}
        List<Planned> planned = new ArrayList<>();
        long[] freeAt = new long[processes];
        int writes = 0;
        for (int i = 0; i < opsTotal; i++) {
            int p = random.nextInt(processes);
            long invoke = freeAt[p] + random.nextInt(20);
            long at = invoke + 1 + random.nextInt(30);
            long complete = at + 1 + random.nextInt(30);
            freeAt[p] = complete + 1;
            boolean write = random.nextInt(3) == 0;
            Outcome outcome = Outcome.OK;
            if (write) {
                int roll = random.nextInt(20);
                outcome = roll == 0 ? Outcome.INFO : roll == 1 ? Outcome.FAIL : Outcome.OK;
            }
            planned.add(new Planned(p, write ? OpType.WRITE : OpType.READ, write ? "v" + (++writes) : null,
                    invoke, at, complete, outcome));
        }
        List<Planned> byEffect = new ArrayList<>(planned);
        byEffect.sort((a, b) -> Long.compare(a.at(), b.at()));
        String register = null;
        List<Operation> ops = new ArrayList<>();
        for (Planned pl : byEffect) {
            String value = pl.value();
            if (pl.type() == OpType.WRITE && pl.outcome() != Outcome.FAIL) {
                register = pl.value();
            } else if (pl.type() == OpType.READ) {
                value = register;
            }
            ops.add(new Operation(ops.size(), pl.process(), pl.type(), "k", value, pl.invoke(), pl.complete(),
                    pl.outcome(), null));
        }
        return ops;
    }

    /** Replaces the value of one late read with a value overwritten (by an OK write) long before it began. */
    static List<Operation> withOneStaleRead(List<Operation> history) {
        for (int i = history.size() - 1; i >= 0; i--) {
            Operation read = history.get(i);
            if (read.type() != OpType.READ) {
                continue;
            }
            // Two OK writes that both completed before the read began: the older one's value is stale.
            Operation older = null;
            for (Operation w : history) {
                if (w.type() == OpType.WRITE && w.outcome() == Outcome.OK && w.completeNanos() < read.invokeNanos()) {
                    for (Operation newer : history) {
                        if (newer.type() == OpType.WRITE && newer.outcome() == Outcome.OK
                                && newer.invokeNanos() > w.completeNanos() && newer.completeNanos() < read.invokeNanos()) {
                            older = w;
                            break;
                        }
                    }
                }
                if (older != null) {
                    break;
                }
            }
            if (older != null) {
                List<Operation> bad = new ArrayList<>(history);
                bad.set(i, new Operation(read.id(), read.process(), read.type(), read.key(), older.value(),
                        read.invokeNanos(), read.completeNanos(), read.outcome(), null));
                return bad;
            }
        }
        return null;
    }
}
