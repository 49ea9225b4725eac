package io.mirrorfs.client.chunk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A size-bounded, least-recently-used cache of block objects on local disk, keyed by object key.
 * Objects are immutable, so an entry never goes stale; it can only be damaged, which the caller
 * detects with the CRC from metadata and reports through {@link #invalidate}. The files survive a
 * remount: on open the folder is scanned and indexed oldest-modified first.
 *
 * <p>Files are written to a temporary name and renamed into place, so a crash never leaves a
 * half-written entry under a real key.
 */
public final class DiskBlockCache {
    private static final Logger log = LoggerFactory.getLogger(DiskBlockCache.class);
    private static final String TMP_DIR = ".tmp";

    private final Path root;
    private final long capacityBytes;
    private final AtomicLong tmpCounter = new AtomicLong();
    /** Access-ordered: the first entry is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(1024, 0.75f, true);
    private long usedBytes;

    public DiskBlockCache(Path root, long capacityBytes) throws IOException {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive: " + capacityBytes);
        }
        this.root = root.toAbsolutePath();
        this.capacityBytes = capacityBytes;
        Files.createDirectories(this.root.resolve(TMP_DIR));
        clearTemporaries();
        indexExisting();
    }

    private void clearTemporaries() throws IOException {
        try (Stream<Path> leftovers = Files.list(root.resolve(TMP_DIR))) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void indexExisting() throws IOException {
        record Found(String key, long size, long modifiedMillis) {}
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(p) || p.startsWith(root.resolve(TMP_DIR))) {
                    continue;
                }
                String key = root.relativize(p).toString().replace('\\', '/');
                found.add(new Found(key, Files.size(p), Files.getLastModifiedTime(p).toMillis()));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        found.sort((a, b) -> Long.compare(a.modifiedMillis(), b.modifiedMillis()));
        synchronized (this) {
            for (Found f : found) {
                sizes.put(f.key(), f.size());
                usedBytes += f.size();
            }
        }
        evictOverCapacity();
        log.info("disk block cache {}: {} blocks, {} bytes (limit {})", root, found.size(), usedBytes, capacityBytes);
    }

    /** The cached bytes of {@code key}, or null when absent. */
    public byte[] get(String key) throws IOException {
        synchronized (this) {
            if (sizes.get(key) == null) {
                return null;
            }
        }
        try {
            return Files.readAllBytes(pathOf(key));
        } catch (NoSuchFileException e) {
            // Evicted between the index check and the read: a miss, not an error.
            forget(key);
            return null;
        }
    }

    /** Stores a verified block. A block larger than the whole cache is not kept. */
    public void put(String key, byte[] data) throws IOException {
        if (data.length > capacityBytes) {
            return;
        }
        synchronized (this) {
            if (sizes.containsKey(key)) {
                return;
            }
        }
        Path target = pathOf(key);
        Files.createDirectories(target.getParent());
        Path tmp = root.resolve(TMP_DIR).resolve(tmpCounter.incrementAndGet() + ".part");
        Files.write(tmp, data);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        synchronized (this) {
            Long previous = sizes.put(key, (long) data.length);
            usedBytes += data.length - (previous == null ? 0 : previous);
        }
        evictOverCapacity();
    }

    /** Drops a damaged or unwanted entry. */
    public void invalidate(String key) throws IOException {
        forget(key);
        Files.deleteIfExists(pathOf(key));
    }

    public synchronized long usedBytes() {
        return usedBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public synchronized boolean contains(String key) {
        return sizes.containsKey(key);
    }

    private synchronized void forget(String key) {
        Long size = sizes.remove(key);
        if (size != null) {
            usedBytes -= size;
        }
    }

    private void evictOverCapacity() throws IOException {
        List<String> victims = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<String, Long>> it = sizes.entrySet().iterator();
            while (usedBytes > capacityBytes && it.hasNext()) {
                Map.Entry<String, Long> oldest = it.next();
                usedBytes -= oldest.getValue();
                victims.add(oldest.getKey());
                it.remove();
            }
        }
        for (String key : victims) {
            Files.deleteIfExists(pathOf(key));
        }
    }

    private Path pathOf(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..") || key.startsWith(TMP_DIR)) {
            throw new IllegalArgumentException("not a cacheable object key: " + key);
        }
        return root.resolve(key);
    }
}
