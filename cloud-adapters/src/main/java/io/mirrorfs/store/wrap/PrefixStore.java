package io.mirrorfs.store.wrap;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Confines a store to keys under {@code prefix} (which ends with '/'); callers see keys without it. */
public final class PrefixStore implements ObjectStore {

    private final ObjectStore inner;
    private final String prefix;

    public PrefixStore(ObjectStore inner, String prefix) {
        if (prefix.isEmpty() || !prefix.endsWith("/") || prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix must be non-empty, relative and end with '/': " + prefix);
        }
        this.inner = inner;
        this.prefix = prefix;
    }

    public ObjectStore inner() {
        return inner;
    }

    private String full(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        return prefix + key;
    }

    @Override
    public String uri() {
        // Backends report the bucket root; put the prefix back where a reader expects it.
        String base = inner.uri();
        int q = base.indexOf('?');
        String path = q < 0 ? base : base.substring(0, q);
        String query = q < 0 ? "" : base.substring(q);
        return (path.endsWith("/") ? path : path + "/") + prefix + query;
    }

    @Override
    public StoreLimits limits() {
        return inner.limits();
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        inner.put(full(key), data);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return inner.get(full(key));
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        return inner.getRange(full(key), offset, length);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        return inner.head(full(key)).map(this::strip);
    }

    @Override
    public void delete(String key) throws IOException {
        inner.delete(full(key));
    }

    @Override
    public ListPage list(String listPrefix, String startAfter, int limit) throws IOException {
        String p = prefix + (listPrefix == null ? "" : listPrefix);
        String after = startAfter == null || startAfter.isEmpty() ? null : prefix + startAfter;
        ListPage page = inner.list(p, after, limit);
        List<ObjectInfo> stripped = new ArrayList<>(page.objects().size());
        for (ObjectInfo info : page.objects()) {
            stripped.add(strip(info));
        }
        return new ListPage(stripped, page.truncated());
    }

    private ObjectInfo strip(ObjectInfo info) {
        assert info.key().startsWith(prefix) : info.key() + " outside " + prefix;
        return new ObjectInfo(info.key().substring(prefix.length()), info.sizeBytes(), info.lastModifiedMillis());
    }

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        inner.copy(full(sourceKey), full(destinationKey));
    }

    @Override
    public void checkAccess() throws IOException {
        inner.checkAccess();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
