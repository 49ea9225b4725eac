package io.mirrorfs.store.local;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A store that keeps each object as one file under a root directory ({@code file:///path}).
 *
 * <p>Puts are durable and atomic: the bytes go to a temp file in the destination directory, which is
 * fsynced, renamed over the final name and then the directory is fsynced, so a crash leaves either
 * the old state or the complete new object, never a torn one. Keys map to relative paths; anything
 * that could escape the root ({@code ..}, absolute paths, empty segments) is rejected.
 *
 * <p>Limitation of a filesystem: a key cannot be both an object and a "directory" prefix of another
 * key ({@code a} and {@code a/b}); such a put fails with an IOException. The block layout never does this.
 */
public final class LocalDirectoryStore implements ObjectStore {

    /** Temp files carry this name prefix; keys whose segments start with it are rejected, listings skip it. */
    static final String TEMP_PREFIX = ".mirrorfs-tmp-";
    private static final int KEY_LENGTH_MAX = 1024;
    private static final int LIST_PAGE_MAX = 1000;
    private static final int COPY_BUFFER_BYTES = 64 * 1024;
    /** A concurrent delete may prune a directory between our mkdir and our temp-file create. */
    private static final int PUT_ATTEMPTS_MAX = 5;

    private final Path root;
    private final String uri;

    public LocalDirectoryStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
        if (!Files.isDirectory(this.root)) {
            throw new IOException("local store root is not a directory: " + this.root);
        }
        this.uri = this.root.toUri().toString();
    }

    public Path root() {
        return root;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public StoreLimits limits() {
        return new StoreLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, LIST_PAGE_MAX);
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        Path target = pathOf(key);
        for (int attempt = 1; ; attempt++) {
            try {
                writeDurably(target, out -> out.write(data));
                return;
            } catch (NoSuchFileException e) {
                if (attempt >= PUT_ATTEMPTS_MAX) {
                    throw e;
                }
            }
        }
    }

    @FunctionalInterface
    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private void writeDurably(Path target, Writer writer) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        if (Files.isDirectory(target)) {
            throw new IOException("cannot put " + root.relativize(target) + " in " + uri
                    + ": a directory of the same name holds other keys");
        }
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        boolean renamed = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.writeTo(java.nio.channels.Channels.newOutputStream(ch));
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            renamed = true;
            fsyncDirectory(dir);
        } finally {
            if (!renamed) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        Path path = pathOf(key);
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw notFound(key, e);
        }
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad range offset=" + offset + " length=" + length);
        }
        Path path = pathOf(key);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset >= size || length == 0) {
                return new byte[0];
            }
            int n = (int) Math.min(length, size - offset);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                int read = ch.read(buf, offset + buf.position());
                if (read < 0) {
                    // The object is immutable, so a short read means it changed under us: never return partial data.
                    throw new IOException("object " + key + " in " + uri + " shrank while reading");
                }
            }
            return buf.array();
        } catch (NoSuchFileException e) {
            throw notFound(key, e);
        }
    }

    /** Streams an object; the caller closes the stream. */
    public InputStream openStream(String key) throws IOException {
        try {
            return Files.newInputStream(pathOf(key));
        } catch (NoSuchFileException e) {
            throw notFound(key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        Path path = pathOf(key);
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toMillis()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path path = pathOf(key);
        if (Files.isDirectory(path)) {
            return; // a prefix of other keys, not an object
        }
        if (Files.deleteIfExists(path)) {
            fsyncDirectory(path.getParent());
            pruneEmptyParents(path.getParent());
        }
    }

    /** Removes directories left empty by deletes so GC does not leave millions of empty folders behind. */
    private void pruneEmptyParents(Path dir) throws IOException {
        Path current = dir;
        while (current != null && !current.equals(root) && current.startsWith(root)) {
            try {
                Files.delete(current);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return; // someone else still uses it, or already pruned it
            }
            current = current.getParent();
        }
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) throws IOException {
        if (limit <= 0) {
            throw new IllegalArgumentException("list limit must be positive: " + limit);
        }
        String p = prefix == null ? "" : prefix;
        String after = startAfter == null ? "" : startAfter;
        int wanted = Math.min(limit, LIST_PAGE_MAX);
        List<ObjectInfo> out = new ArrayList<>();
        // Collect one more than wanted to know whether the listing is truncated.
        walk(root, "", p, after, wanted + 1, out);
        boolean truncated = out.size() > wanted;
        return new ListPage(truncated ? out.subList(0, wanted) : out, truncated);
    }

    /**
     * Depth-first walk in key order. Directories sort as "name/" so that, e.g., {@code a-c} (0x2d)
     * comes before {@code a/b} (0x2f), as in S3. Subtrees wholly before {@code after} or outside
     * {@code prefix} are skipped, so paging deep into a large store does not rescan it.
     */
    private void walk(Path dir, String dirKey, String prefix, String after, int max, List<ObjectInfo> out)
            throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                String name = child.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(child, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue; // deleted while listing
                }
                String key = dirKey + name + (attrs.isDirectory() ? "/" : "");
                entries.add(new Entry(child, key, attrs));
            }
        } catch (NoSuchFileException e) {
            return; // pruned while listing
        }
        entries.sort((a, b) -> a.key.compareTo(b.key));
        for (Entry e : entries) {
            if (out.size() >= max) {
                return;
            }
            if (e.attrs.isDirectory()) {
                boolean overlapsPrefix = e.key.startsWith(prefix) || prefix.startsWith(e.key);
                boolean whollyBeforeAfter = e.key.compareTo(after) < 0 && !after.startsWith(e.key);
                if (overlapsPrefix && !whollyBeforeAfter) {
                    walk(e.path, e.key, prefix, after, max, out);
                }
            } else if (e.attrs.isRegularFile() && e.key.startsWith(prefix) && e.key.compareTo(after) > 0) {
                out.add(new ObjectInfo(e.key, e.attrs.size(), e.attrs.lastModifiedTime().toMillis()));
            }
        }
    }

    private record Entry(Path path, String key, BasicFileAttributes attrs) {}

    @Override
    public void copy(String sourceKey, String destinationKey) throws IOException {
        Path source = pathOf(sourceKey);
        Path target = pathOf(destinationKey);
        try (InputStream in = Files.newInputStream(source)) {
            writeDurably(target, out -> in.transferTo(out));
        } catch (NoSuchFileException e) {
            if (!Files.exists(source)) {
                throw notFound(sourceKey, e);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        // nothing held open between calls
    }

    private ObjectNotFoundException notFound(String key, IOException cause) {
        ObjectNotFoundException e = new ObjectNotFoundException(uri, key);
        e.initCause(cause);
        return e;
    }

    /** Maps a key to a path under the root, refusing anything that could escape it or alias another key. */
    Path pathOf(String key) {
        validateKey(key);
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("key escapes the store root: " + key);
        }
        return path;
    }

    static void validateKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        if (key.length() > KEY_LENGTH_MAX) {
            throw new IllegalArgumentException("key longer than " + KEY_LENGTH_MAX + " chars: " + key.substring(0, 64) + "...");
        }
        if (key.startsWith("/")) {
            throw new IllegalArgumentException("absolute key not allowed: " + key);
        }
        if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("key contains a backslash or NUL: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("key has an empty segment: " + key);
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("key has a '.' or '..' segment: " + key);
            }
            if (segment.startsWith(TEMP_PREFIX)) {
                throw new IllegalArgumentException("key segment uses the reserved prefix " + TEMP_PREFIX + ": " + key);
            }
        }
    }
}
