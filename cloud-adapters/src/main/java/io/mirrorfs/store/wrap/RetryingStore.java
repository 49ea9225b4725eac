package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Random;

/**
 * Retries retryable failures with capped exponential backoff and full jitter, at most
 * {@code attemptsMax} tries. Not-found, configuration errors and anything a backend marks
 * non-retryable stop at once. An IOException that is not a {@link StoreException} is an I/O error of
 * the transport and counts as retryable.
 */
public final class RetryingStore extends InterceptingStore {

    /** How to wait between attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    public record Policy(int attemptsMax, Duration delayBase, Duration delayMax) {
        public Policy {
            if (attemptsMax < 1 || attemptsMax > 20) {
                throw new IllegalArgumentException("attemptsMax must be 1..20: " + attemptsMax);
            }
            if (delayBase.isNegative() || delayMax.compareTo(delayBase) < 0) {
                throw new IllegalArgumentException("need 0 <= delayBase <= delayMax");
            }
        }

        public static Policy defaults() {
            return new Policy(6, Duration.ofMillis(100), Duration.ofSeconds(10));
        }
    }

    private final Policy policy;
    private final Random random;
    private final Sleeper sleeper;

    public RetryingStore(ObjectStore inner, Policy policy) {
        this(inner, policy, new Random(), Thread::sleep);
    }

    public RetryingStore(ObjectStore inner, Policy policy, Random random, Sleeper sleeper) {
        super(inner);
        this.policy = policy;
        this.random = random;
        this.sleeper = sleeper;
    }

    public static boolean isRetryable(IOException e) {
        if (e instanceof ObjectNotFoundException || e instanceof InterruptedIOException) {
            return false;
        }
        if (e instanceof StoreException se) {
            return se.retryable();
        }
        return true;
    }

    @Override
    protected <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (!isRetryable(e) || attempt >= policy.attemptsMax()) {
                    if (attempt > 1) {
                        e.addSuppressed(new StoreException("gave up on " + op + " " + key + " in " + inner.uri()
                                + " after " + attempt + " attempts", false));
                    }
                    throw e;
                }
                long delay = backoffMillis(attempt);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException iioe = new InterruptedIOException("interrupted while retrying " + op + " " + key);
                    iioe.addSuppressed(e);
                    throw iioe;
                }
            }
        }
    }

    /** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
    long backoffMillis(int attempt) {
        long cap = policy.delayMax().toMillis();
        long exp = policy.delayBase().toMillis() << Math.min(attempt - 1, 30);
        long bound = Math.min(cap, exp < 0 ? cap : exp);
        synchronized (random) {
            return bound <= 0 ? 0 : (long) (random.nextDouble() * (bound + 1));
        }
    }
}
