package io.mirrorfs.chaos.check;

import io.mirrorfs.chaos.history.OpType;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.List;

/** Hand-made histories with explicit times, for checker tests. */
final class Histories {
    private final List<Operation> ops = new ArrayList<>();

    Histories write(int process, String key, String value, long invoke, long complete, Outcome outcome) {
        return add(process, OpType.WRITE, key, value, invoke, complete, outcome);
    }

    Histories write(int process, String value, long invoke, long complete) {
        return write(process, "k", value, invoke, complete, Outcome.OK);
    }

    Histories read(int process, String key, String observed, long invoke, long complete) {
        return add(process, OpType.READ, key, observed, invoke, complete, Outcome.OK);
    }

    Histories read(int process, String observed, long invoke, long complete) {
        return read(process, "k", observed, invoke, complete);
    }

    Histories add(int process, OpType type, String key, String value, long invoke, long complete, Outcome outcome) {
        ops.add(new Operation(ops.size(), process, type, key, value, invoke, complete, outcome,
                outcome == Outcome.OK ? null : "test"));
        return this;
    }

    List<Operation> build() {
        return List.copyOf(ops);
    }
}
