package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects faults for tests and chaos runs: retryable and non-retryable errors, added latency, truncated
 * or corrupted reads, and objects that appear missing. Random faults come from one seeded
 * {@link Random}, so a seed replays the same fault sequence for the same sequence of calls;
 * {@link #failNext} scripts exact faults for unit tests.
 */
public final class FaultInjectingStore extends InterceptingStore {

    /**
     * Probabilities are per call, in [0, 1].
     *
     * @param latencyMillisMax extra latency, uniform in [0, max], added to every call
     */
    public record Faults(double retryableError, double fatalError, double truncatedRead, double corruptedRead,
                         double missingObject, long latencyMillisMax) {
        public Faults {
            for (double p : new double[] {retryableError, fatalError, truncatedRead, corruptedRead, missingObject}) {
                if (p < 0 || p > 1) {
                    throw new IllegalArgumentException("probability out of [0,1]: " + p);
                }
            }
            if (latencyMillisMax < 0 || latencyMillisMax > 60_000) {
                throw new IllegalArgumentException("latencyMillisMax must be 0..60000");
            }
        }

        public static Faults none() {
            return new Faults(0, 0, 0, 0, 0, 0);
        }
    }

    /** A scripted fault for the next calls. */
    public enum Fault { RETRYABLE_ERROR, FATAL_ERROR, TRUNCATED_READ, CORRUPTED_READ, MISSING_OBJECT }

    private final Random random;
    private volatile Faults faults;
    private volatile Fault scripted;
    private final AtomicInteger scriptedRemaining = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();

    public FaultInjectingStore(ObjectStore inner, Faults faults, long seed) {
        super(inner);
        this.faults = faults;
        this.random = new Random(seed);
    }

    public void setFaults(Faults faults) {
        this.faults = faults;
    }

    /** The next {@code count} calls fail with {@code fault} (reads only for read faults). */
    public void failNext(Fault fault, int count) {
        scripted = fault;
        scriptedRemaining.set(count);
    }

    public int injectedCount() {
        return injected.get();
    }

    private synchronized double roll() {
        return random.nextDouble();
    }

    private Fault pick(Op op) {
        boolean read = op == Op.GET || op == Op.GET_RANGE;
        if (scriptedRemaining.get() > 0) {
            Fault f = scripted;
            boolean applies = read || f == Fault.RETRYABLE_ERROR || f == Fault.FATAL_ERROR
                    || (f == Fault.MISSING_OBJECT && op == Op.HEAD);
            if (applies && scriptedRemaining.getAndDecrement() > 0) {
                return f;
            }
        }
        Faults f = faults;
        if (roll() < f.retryableError()) {
            return Fault.RETRYABLE_ERROR;
        }
        if (roll() < f.fatalError()) {
            return Fault.FATAL_ERROR;
        }
        if (read || op == Op.HEAD) {
            if (roll() < f.missingObject()) {
                return Fault.MISSING_OBJECT;
            }
        }
        if (read) {
            if (roll() < f.truncatedRead()) {
                return Fault.TRUNCATED_READ;
            }
            if (roll() < f.corruptedRead()) {
                return Fault.CORRUPTED_READ;
            }
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        long latency = faults.latencyMillisMax();
        if (latency > 0) {
            try {
                Thread.sleep((long) (roll() * latency));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during injected latency");
            }
        }
        Fault fault = pick(op);
        if (fault == null) {
            return call.run();
        }
        injected.incrementAndGet();
        switch (fault) {
            case RETRYABLE_ERROR -> throw new StoreException("injected retryable fault on " + op + " " + key, true);
            case FATAL_ERROR -> throw new StoreException("injected non-retryable fault on " + op + " " + key, false);
            case MISSING_OBJECT -> {
                if (op == Op.HEAD) {
                    return (T) java.util.Optional.empty();
                }
                throw new ObjectNotFoundException(inner.uri(), key);
            }
            case TRUNCATED_READ, CORRUPTED_READ -> {
                byte[] data = (byte[]) call.run();
                if (data.length == 0) {
                    return (T) data;
                }
                if (fault == Fault.TRUNCATED_READ) {
                    return (T) Arrays.copyOf(data, data.length / 2);
                }
                byte[] copy = data.clone();
                copy[copy.length / 2] ^= 0x5a;
                return (T) copy;
            }
            default -> throw new AssertionError(fault);
        }
    }
}
