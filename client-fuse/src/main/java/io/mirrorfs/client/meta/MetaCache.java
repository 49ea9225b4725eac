package io.mirrorfs.client.meta;

import com.google.protobuf.ByteString;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.SliceRef;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client-side caches of attributes, directory entries and chunk slice lists, each entry valid for a
 * configured time (0 = never cached). Close-to-open consistency is the VFS's job: it bypasses and
 * refreshes these on open. Each map is bounded; on overflow it is simply cleared, which costs
 * lookups but never correctness.
 */
public final class MetaCache {
    private final long attrTtlNanos;
    private final long entryTtlNanos;
    private final int entriesMax;

    private record Timed<T>(T value, long expiresAtNanos) {}

    private record EntryKey(long parent, ByteString name) {}

    private final ConcurrentHashMap<Long, Timed<Attr>> attrs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EntryKey, Timed<Long>> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Timed<java.util.Set<String>>> absentXattrs = new ConcurrentHashMap<>();
    /** Inodes known to have no xattrs at all (created here moments ago): inode → expiry. */
    private final ConcurrentHashMap<Long, Long> noXattrsUntilNanos = new ConcurrentHashMap<>();
    /** inode → chunk index → slice list, so a file's lists are dropped in one step on open. */
    private final ConcurrentHashMap<Long, ConcurrentHashMap<Integer, Timed<List<SliceRef>>>> chunks =
            new ConcurrentHashMap<>();

    public MetaCache(long attrTtlMillis, long entryTtlMillis, int entriesMax) {
        this.attrTtlNanos = attrTtlMillis * 1_000_000;
        this.entryTtlNanos = entryTtlMillis * 1_000_000;
        this.entriesMax = entriesMax;
    }

    public Attr attr(long inode) {
        return fresh(attrs.get(inode));
    }

    public void putAttr(Attr attr) {
        if (attrTtlNanos > 0) {
            bound(attrs);
            attrs.put(attr.getInode(), new Timed<>(attr, System.nanoTime() + attrTtlNanos));
        }
    }

    /**
     * Applies a change this client made to a cached attribute without extending its lifetime, so
     * changes made elsewhere are still picked up when the original TTL runs out.
     */
    public void updateAttrIfCached(long inode, java.util.function.UnaryOperator<Attr> change) {
        attrs.computeIfPresent(inode, (i, t) -> fresh(t) == null ? null : new Timed<>(change.apply(t.value()), t.expiresAtNanos()));
    }

    public void invalidateAttr(long inode) {
        attrs.remove(inode);
    }

    /** The cached inode of {@code name} in {@code parent}, or 0. */
    public long entry(long parent, ByteString name) {
        Long inode = fresh(entries.get(new EntryKey(parent, name)));
        return inode == null ? 0 : inode;
    }

    public void putEntry(long parent, ByteString name, long inode) {
        if (entryTtlNanos > 0) {
            bound(entries);
            entries.put(new EntryKey(parent, name), new Timed<>(inode, System.nanoTime() + entryTtlNanos));
        }
    }

    public void invalidateEntry(long parent, ByteString name) {
        entries.remove(new EntryKey(parent, name));
    }

    /**
     * Whether the xattr is known to be absent. The kernel asks for "security.capability" before every
     * write; without this each write would cost a metadata round trip.
     */
    public boolean xattrAbsent(long inode, String name) {
        Timed<java.util.Set<String>> absent = absentXattrs.get(inode);
        java.util.Set<String> names = fresh(absent);
        if (names != null && names.contains(name)) {
            return true;
        }
        Long until = noXattrsUntilNanos.get(inode);
        return until != null && System.nanoTime() - until <= 0;
    }

    /**
     * A file this client has just created has no xattrs: answer every getxattr (the kernel's
     * security.capability check before the first write) locally for the attribute TTL.
     */
    public void putNoXattrs(long inode) {
        if (attrTtlNanos > 0) {
            bound(noXattrsUntilNanos);
            noXattrsUntilNanos.put(inode, System.nanoTime() + attrTtlNanos);
        }
    }

    public void putXattrAbsent(long inode, String name) {
        if (attrTtlNanos > 0) {
            bound(absentXattrs);
            absentXattrs.compute(inode, (i, old) -> {
                java.util.Set<String> names = fresh(old) == null ? ConcurrentHashMap.newKeySet() : old.value();
                if (names.size() < 64) {
                    names.add(name);
                }
                return new Timed<>(names, System.nanoTime() + attrTtlNanos);
            });
        }
    }

    public void invalidateXattrs(long inode) {
        absentXattrs.remove(inode);
        noXattrsUntilNanos.remove(inode);
    }

    public List<SliceRef> chunk(long inode, int chunkIndex) {
        ConcurrentHashMap<Integer, Timed<List<SliceRef>>> file = chunks.get(inode);
        return file == null ? null : fresh(file.get(chunkIndex));
    }

    public void putChunk(long inode, int chunkIndex, List<SliceRef> slices) {
        if (attrTtlNanos > 0) {
            bound(chunks);
            chunks.computeIfAbsent(inode, i -> new ConcurrentHashMap<>())
                    .put(chunkIndex, new Timed<>(List.copyOf(slices), System.nanoTime() + attrTtlNanos));
        }
    }

    public void invalidateChunk(long inode, int chunkIndex) {
        ConcurrentHashMap<Integer, Timed<List<SliceRef>>> file = chunks.get(inode);
        if (file != null) {
            file.remove(chunkIndex);
        }
    }

    /** Forgets every slice list of a file (its data changed or may have changed elsewhere). */
    public void invalidateChunks(long inode) {
        chunks.remove(inode);
    }

    private <T> T fresh(Timed<T> timed) {
        if (timed == null || System.nanoTime() - timed.expiresAtNanos() > 0) {
            return null;
        }
        return timed.value();
    }

    private void bound(ConcurrentHashMap<?, ?> map) {
        if (map.size() >= entriesMax) {
            map.clear();
        }
    }
}
