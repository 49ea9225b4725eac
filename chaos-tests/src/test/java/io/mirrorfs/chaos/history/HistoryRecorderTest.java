package io.mirrorfs.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryRecorderTest {

    @Test
    void recordsOutcomesValuesAndTimes() {
        AtomicLong clock = new AtomicLong(100);
        HistoryRecorder r = new HistoryRecorder(10, clock::getAndIncrement);
        r.invoke(0, OpType.WRITE, "k", "a").ok();
        r.invoke(1, OpType.READ, "k", null).ok("a");
        r.invoke(2, OpType.WRITE, "k", "b").info("timeout");
        r.invoke(3, OpType.ADD, "s", "x").fail("EEXIST");
        List<Operation> h = r.snapshot();
        assertThat(h).extracting(Operation::describe).containsExactly(
                "#0 p0 WRITE k=a OK", "#1 p1 READ k->a OK", "#2 p2 WRITE k=b INFO (timeout)", "#3 p3 ADD s=x FAIL (EEXIST)");
        assertThat(h.get(0).invokeNanos()).isEqualTo(100);
        assertThat(h.get(0).completeNanos()).isEqualTo(101);
    }

    @Test
    void operationsStillOpenAreIndeterminateAndCompletingTwiceIsAnError() {
        HistoryRecorder r = new HistoryRecorder(10);
        HistoryRecorder.Pending p = r.invoke(0, OpType.WRITE, "k", "a");
        assertThat(r.snapshot()).singleElement().extracting(Operation::outcome).isEqualTo(Outcome.INFO);
        p.ok();
        assertThat(r.snapshot()).singleElement().extracting(Operation::outcome).isEqualTo(Outcome.OK);
        assertThatThrownBy(p::ok).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void isBounded() {
        HistoryRecorder r = new HistoryRecorder(1);
        r.invoke(0, OpType.READ, "k", null).ok(null);
        assertThatThrownBy(() -> r.invoke(0, OpType.READ, "k", null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentProcessesGetUniqueIdsAndNothingIsLost() throws Exception {
        HistoryRecorder r = new HistoryRecorder(100_000);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            int process = p;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1_000; i++) {
                    r.invoke(process, OpType.WRITE, "k", process + "-" + i).ok();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        List<Operation> h = r.snapshot();
        assertThat(h).hasSize(8_000);
        Set<Integer> ids = new HashSet<>();
        h.forEach(o -> ids.add(o.id()));
        assertThat(ids).hasSize(8_000);
    }

    @Test
    void writesJsonLines(@TempDir Path dir) throws Exception {
        HistoryRecorder r = new HistoryRecorder(10, () -> 5_000);
        r.invoke(0, OpType.READ, "k\"1", null).ok(null);
        Path f = dir.resolve("h.jsonl");
        HistoryFiles.writeJsonLines(f, r.snapshot(), 0);
        assertThat(Files.readAllLines(f)).containsExactly("{\"id\":0,\"process\":0,\"type\":\"READ\",\"key\":\"k\\\"1\","
                + "\"value\":null,\"invokeMicros\":5,\"completeMicros\":5,\"outcome\":\"OK\",\"error\":null}");
    }
}
