package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import java.io.IOException;
import java.util.Optional;

/**
 * Base of the wrappers: every operation goes through {@link #call}, so a wrapper (retry, timeout,
 * metrics, ...) overrides one method instead of eight.
 */
public abstract class InterceptingStore implements ObjectStore {

    /** One store operation, run by {@link #call}. */
    @FunctionalInterface
    public interface IoCall<T> {
        T run() throws IOException;
    }

    protected final ObjectStore inner;

    protected InterceptingStore(ObjectStore inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    /**
     * Runs {@code call} for {@code op} on {@code key}; {@code bytesOut} is the payload size of a put
     * (0 otherwise). Implementations must call {@code call.run()} at most a bounded number of times.
     */
    protected abstract <T> T call(Op op, String key, long bytesOut, IoCall<T> call) throws IOException;

    @Override
    public String uri() {
        return inner.uri();
    }

    @Override
    public StoreLimits limits() {
        return inner.limits();
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        call(Op.PUT, key, data.length, () -> {
            inner.put(key, data);
            return null;
        });
    }

    @Override
    public byte[] get(String key) throws IOException {
        return call(Op.GET, key, 0, () -> inner.get(key));
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        return call(Op.GET_RANGE, key, 0, () -> inner.getRange(key, offset, length));
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return call(Op.HEAD, key, 0, () -> inner.head(key));
    }

    @Override
    public void delete(String key) throws IOException {
        call(Op.DELETE, key, 0, () -> {
            inner.delete(key);
            return null;
        });
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        return call(Op.LIST, prefix == null ? "" : prefix, 0, () -> inner.list(prefix, startAfter, limit));
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        call(Op.COPY, sourceKey, 0, () -> {
            inner.copy(sourceKey, destinationKey);
            return null;
        });
    }

    @Override
    public void checkAccess() throws IOException {
        call(Op.CHECK_ACCESS, "", 0, () -> {
            inner.checkAccess();
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    /** Bytes an operation's result carried back (for metrics and bandwidth accounting). */
    protected static long bytesIn(Object result) {
        return result instanceof byte[] b ? b.length : 0;
    }
}
