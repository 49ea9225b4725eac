package io.mirrorfs.store;

import java.io.IOException;
import java.util.Optional;

/**
 * An object store holding immutable block objects. One small interface, one class per backend;
 * retry, checksums, bandwidth limits, metrics and fault injection are wrappers around it.
 *
 * <p>Keys are '/'-separated relative names; implementations never overwrite an object on purpose
 * (callers write each key once) but a put of an existing key with the same bytes must succeed, so a
 * retried upload is harmless. A missing key is always {@link ObjectNotFoundException}.
 * Implementations are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {

    /** The store's URI with any secret removed, e.g. {@code s3://bucket/prefix?region=eu-west-1}. */
    String uri();

    /** What this backend can do. */
    StoreLimits limits();

    /** Stores {@code data} under {@code key}; returns only once the object is durable. */
    void put(String key, byte[] data) throws IOException;

    /** The whole object. */
    byte[] get(String key) throws IOException;

    /**
     * Up to {@code length} bytes starting at {@code offset}; fewer only if the object ends first.
     * An offset at or past the end returns an empty array.
     */
    byte[] getRange(String key, long offset, int length) throws IOException;

    /** Size and metadata of an object, or empty if it does not exist. */
    Optional<ObjectInfo> head(String key) throws IOException;

    /** Deletes an object; deleting a missing key is not an error. */
    void delete(String key) throws IOException;

    /**
     * Keys starting with {@code prefix}, in lexicographic order, strictly after {@code startAfter}
     * (null or empty = from the beginning), at most {@code limit} of them.
     */
    ListPage list(String prefix, String startAfter, int limit) throws IOException;

    /** Copies an object within this store. */
    void copy(String sourceKey, String destinationKey) throws IOException;

    /**
     * Probes that the store exists and these credentials can list it, so {@code format} and
     * {@code mount} fail up front with a clear {@link StoreConfigException} rather than deep inside a
     * read. Backends override it to turn SDK errors into messages that say how to fix them.
     */
    default void checkAccess() throws IOException {
        list("", null, 1);
    }

    @Override
    void close() throws IOException;
}
