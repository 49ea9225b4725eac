package io.mirrorfs.chaos.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Records a concurrent history. Each client process calls {@link #invoke} just before sending a
 * request and completes the returned {@link Pending} exactly once when the answer (or the give-up)
 * comes. Thread-safe. Bounded: past {@code operationsMax} invocations it refuses new ones, so a runaway
 * workload fails loudly instead of filling the heap.
 */
public final class HistoryRecorder {
    private final LongSupplier clock;
    private final int operationsMax;
    private final AtomicInteger nextId = new AtomicInteger();
    private final List<Operation> completed = new ArrayList<>();
    private final List<Pending> open = new ArrayList<>();

    public HistoryRecorder(int operationsMax) {
        this(operationsMax, System::nanoTime);
    }

    /** With an explicit clock, for tests that build histories by hand. */
    public HistoryRecorder(int operationsMax, LongSupplier clock) {
        if (operationsMax < 1) {
            throw new IllegalArgumentException("operationsMax must be positive");
        }
        this.operationsMax = operationsMax;
        this.clock = clock;
    }

    public Pending invoke(int process, OpType type, String key, String value) {
        int id = nextId.getAndIncrement();
        if (id >= operationsMax) {
            throw new IllegalStateException("history is full (" + operationsMax + " operations)");
        }
        Pending p = new Pending(id, process, type, key, value, clock.getAsLong());
        synchronized (this) {
            open.add(p);
        }
        return p;
    }

    /**
     * The history so far, ordered by id. Operations still open are reported as {@link Outcome#INFO}
     * (a client that never heard back cannot know whether they happened).
     */
    public synchronized List<Operation> snapshot() {
        List<Operation> all = new ArrayList<>(completed);
        long now = clock.getAsLong();
        for (Pending p : open) {
            all.add(p.toOperation(null, Outcome.INFO, "still open when the history was taken", now));
        }
        all.sort(Comparator.comparingInt(Operation::id));
        return all;
    }

    public int size() {
        return Math.min(nextId.get(), operationsMax);
    }

    private synchronized void complete(Pending p, Operation op) {
        if (!open.remove(p)) {
            throw new IllegalStateException("operation " + op.id() + " completed twice");
        }
        completed.add(op);
    }

    /** An invoked operation waiting for its outcome. */
    public final class Pending {
        private final int id;
        private final int process;
        private final OpType type;
        private final String key;
        private final String value;
        private final long invokeNanos;

        private Pending(int id, int process, OpType type, String key, String value, long invokeNanos) {
            this.id = id;
            this.process = process;
            this.type = type;
            this.key = key;
            this.value = value;
            this.invokeNanos = invokeNanos;
        }

        /** Acknowledged. For a read pass the observed value; for other ops the invoked value is kept. */
        public Operation ok(String observed) {
            return finish(type == OpType.READ ? observed : value, Outcome.OK, null);
        }

        public Operation ok() {
            return ok(value);
        }

        /**
         * Acknowledged, with a value known only from the answer (e.g. the identity a create was given).
         * Not for reads: use {@link #ok(String)}.
         */
        public Operation okAs(String actualValue) {
            if (type == OpType.READ) {
                throw new IllegalStateException("okAs is for writes; a read's value is passed to ok(String)");
            }
            return finish(actualValue, Outcome.OK, null);
        }

        /** Definitely not applied. */
        public Operation fail(String why) {
            return finish(value, Outcome.FAIL, why);
        }

        /** Outcome unknown (timeout, connection lost). */
        public Operation info(String why) {
            return finish(type == OpType.READ ? null : value, Outcome.INFO, why);
        }

        private Operation finish(String v, Outcome outcome, String why) {
            Operation op = toOperation(v, outcome, why, clock.getAsLong());
            complete(this, op);
            return op;
        }

        private Operation toOperation(String v, Outcome outcome, String why, long completeNanos) {
            String recorded = v == null && outcome == Outcome.INFO && type != OpType.READ ? value : v;
            return new Operation(id, process, type, key, recorded, invokeNanos,
                    Math.max(invokeNanos, completeNanos), outcome, why);
        }
    }
}
