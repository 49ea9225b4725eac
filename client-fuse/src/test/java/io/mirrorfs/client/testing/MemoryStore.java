package io.mirrorfs.client.testing;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory object store for unit tests, with counters and hooks to break objects on purpose. */
public final class MemoryStore implements ObjectStore {
    public final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    public final AtomicInteger gets = new AtomicInteger();
    public final AtomicInteger puts = new AtomicInteger();
    public volatile boolean failPuts;

    @Override public String uri() { return "mem://test"; }

    @Override public StoreLimits limits() { return new StoreLimits(Long.MAX_VALUE, 0, 5L << 30, 1000); }

    @Override public void put(String key, byte[] data) throws IOException {
        if (failPuts) throw new IOException("injected put failure for " + key);
        puts.incrementAndGet();
        objects.put(key, data.clone());
    }

    @Override public byte[] get(String key) throws IOException {
        gets.incrementAndGet();
        byte[] d = objects.get(key);
        if (d == null) throw new ObjectNotFoundException(uri(), key);
        return d.clone();
    }

    @Override public byte[] getRange(String key, long offset, int length) throws IOException {
        byte[] d = get(key);
        int from = (int) Math.min(offset, d.length);
        return Arrays.copyOfRange(d, from, (int) Math.min(d.length, from + (long) length));
    }

    @Override public Optional<ObjectInfo> head(String key) {
        byte[] d = objects.get(key);
        return d == null ? Optional.empty() : Optional.of(new ObjectInfo(key, d.length, 0));
    }

    @Override public void delete(String key) { objects.remove(key); }

    @Override public ListPage list(String prefix, String startAfter, int limit) {
        List<ObjectInfo> out = new ArrayList<>();
        var tail = startAfter == null || startAfter.isEmpty() ? objects : objects.tailMap(startAfter, false);
        for (var e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            if (out.size() == limit) return new ListPage(out, true);
            out.add(new ObjectInfo(e.getKey(), e.getValue().length, 0));
        }
        return new ListPage(out, false);
    }

    @Override public void copy(String from, String to) throws IOException { put(to, get(from)); }

    @Override public void close() {}
}
