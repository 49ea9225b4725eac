package io.mirrorfs.client.fuse;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.client.testing.FileBytesModel;
import io.mirrorfs.client.testing.MmapWorker;
import io.mirrorfs.client.testing.OneNodeMetaGroup;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.local.LocalDirectoryStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An fsx-style random exerciser through a real FUSE mount: a real one-node metadata group (Ratis +
 * RocksDB), a real local-directory object store with 64 KiB blocks (so small files cross many block
 * boundaries), the kernel's page cache in the loop. A few files are kept open; each step applies one
 * random operation through real system calls — pwrite/pread at random offsets and sizes (past the end,
 * leaving holes; now and then across the 64 MiB chunk boundary), ftruncate up and down, O_APPEND
 * writes on a second descriptor, mmap reads, mmap writes + msync (in a worker process: see
 * {@link MmapWorker} for why not in this JVM), fallocate(1) (allocate, keep-size,
 * punch hole, zero range), FileChannel.transferTo between files (copy_file_range), fsync, close and
 * reopen, writes through a second descriptor, open(O_TRUNC) — and every {@code fsx.remountEvery}
 * steps the volume is unmounted and mounted again. The seed also picks the attribute/entry TTL (0 or 1 s).
 *
 * <p>What it proves: after any sequence of these operations every byte read through the mount, by
 * read(2) or through a mapping, and every size the kernel reports, equals an in-memory model
 * ({@link FileBytesModel}); and the same holds for a new mount after an unmount (nothing acknowledged
 * was lost, nothing stale is served from the page cache or the block caches).
 *
 * <p>Fault model: none — no crashes, one thread; it hunts for logic errors in the client (slices,
 * holes, sizes, caches, page-cache decisions), not for races or failures.
 *
 * <p>Replay: a failure prints its seed, the tail of the operation log and the first differing
 * offset; rerun with {@code mvn -q -B -o -pl client-fuse test -Dtest=FsxThroughMountTest
 * -Dfsx.seed=SEED [-Dfsx.ops=N] [-Dfsx.remountEvery=M]}.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class FsxThroughMountTest {
    private static final int BLOCK_BYTES = 64 * 1024;
    private static final int FILES = 3;
    /** Most offsets fall in the first MiB: small files, many block boundaries, much overlap. */
    private static final int NEAR_BYTES = 1 << 20;
    /** Some fall within this distance of the first chunk boundary (64 MiB): a chunk-crossing slice, a big hole. */
    private static final int CHUNK_EDGE_BYTES = 256 * 1024;
    private static final int IO_BYTES_MAX = 200 * 1024;
    private static final int LOG_TAIL = 30;
    private static final int REOPEN_CHECK_WHOLE_BYTES_MAX = 4 << 20;
    private static final long PROCESS_WAIT_SECONDS = 60;

    private enum Op {
        WRITE(20), READ(20), TRUNCATE(7), APPEND(6), MMAP_READ(6), MMAP_WRITE(6), FALLOCATE(6), TRANSFER(5), FSYNC(4),
        REOPEN(5), OTHER_FD_WRITE(4), OPEN_TRUNC(2);

        final int weight;

        Op(int weight) {
            this.weight = weight;
        }
    }

    /** fallocate(1) flags per FALLOC mode we try; a mode the kernel refuses is noted and skipped. */
    private enum FallocMode {
        ALLOCATE(), KEEP_SIZE("-n"), PUNCH_HOLE("-p"), ZERO_RANGE("-z"), ZERO_RANGE_KEEP_SIZE("-z", "-n");

        final String[] flags;

        FallocMode(String... flags) {
            this.flags = flags;
        }
    }

    /** One file under test: its model and its long-lived descriptor on the current mount. */
    private static final class FsxFile {
        final String name;
        final FileBytesModel model = new FileBytesModel();
        RandomAccessFile open;

        FsxFile(String name) {
            this.name = name;
        }

        FileChannel channel() {
            return open.getChannel();
        }
    }

    @TempDir
    Path tmp;

    private long seed;
    private long ttlMillis;
    private int opsTotal;
    private Random random;
    private TestMount mount;
    private MmapWorker mmap;
    private final FsxFile[] files = new FsxFile[FILES];
    private final Deque<String> log = new ArrayDeque<>();
    private int step;
    private final Map<Op, Integer> counts = new EnumMap<>(Op.class);
    private final Map<Op, Long> millisPerOp = new EnumMap<>(Op.class);
    private final Set<FallocMode> unsupported = EnumSet.noneOf(FallocMode.class);

    @Test
    void randomOperationsThroughTheMountMatchTheModel() throws Exception {
        seed = Long.getLong("fsx.seed", System.nanoTime());
        opsTotal = Integer.getInteger("fsx.ops", 3000);
        int remountEvery = Integer.getInteger("fsx.remountEvery", 750);
        random = new Random(seed);
        // The seed also picks the caches' TTL: 0 (every getattr/lookup goes to the daemon and the
        // metadata group) or 1 s (the kernel and the client trust cached sizes between changes).
        // (SplittableRandom: Random's first boolean is the same for neighbouring seeds.)
        ttlMillis = new SplittableRandom(seed).nextBoolean() ? 0 : 1000;
        System.out.printf("fsx: seed %d, %d ops, remount every %d, attr/entry TTL %d ms%n", seed, opsTotal,
                remountEvery, ttlMillis);
        LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("store"));
        long startNanos = System.nanoTime();
        try (OneNodeMetaGroup group = OneNodeMetaGroup.start(tmp.resolve("meta"), "vol", store.uri(), BLOCK_BYTES);
             MmapWorker worker = MmapWorker.start()) {
            MetadataClient client = group.client();
            mmap = worker; // holds no mapping between calls, so it may outlive the mount
            mount = mountVolume(client, store);
            try {
                for (int i = 0; i < FILES; i++) {
                    files[i] = new FsxFile("f" + i);
                    files[i].open = new RandomAccessFile(path(files[i]).toFile(), "rw");
                }
                for (step = 1; step <= opsTotal; step++) {
                    FsxFile f = files[random.nextInt(FILES)];
                    Op op = pick();
                    counts.merge(op, 1, Integer::sum);
                    try {
                        long opStart = System.nanoTime();
                        apply(op, f);
                        millisPerOp.merge(op, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opStart), Long::sum);
                        checkSize(f);
                        if (step % remountEvery == 0) {
                            remount(client, store);
                        }
                    } catch (AssertionError e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new AssertionError("fsx: " + op + " on " + f.name + " failed: " + t + context(), t);
                    }
                }
                record("final remount");
                remount(client, store);
            } finally {
                closeFiles();
                mount.close();
            }
        }
        System.out.printf("fsx: %d ops in %d ms: %s; milliseconds per kind: %s; fallocate modes refused by the"
                + " kernel: %s%n", opsTotal, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), counts,
                millisPerOp, unsupported);
    }

    private TestMount mountVolume(MetadataClient client, LocalDirectoryStore store) throws IOException {
        return TestMount.of(client, store, tmp, "mnt", VfsConfig.defaults().withTtlMillis(ttlMillis, ttlMillis),
                ttlMillis / 1000.0);
    }

    private Op pick() {
        int total = 0;
        for (Op op : Op.values()) {
            total += op.weight;
        }
        int r = random.nextInt(total);
        for (Op op : Op.values()) {
            r -= op.weight;
            if (r < 0) {
                return op;
            }
        }
        throw new AssertionError("unreachable");
    }

    private void apply(Op op, FsxFile f) throws Exception {
        switch (op) {
            case WRITE -> write(f);
            case READ -> read(f);
            case TRUNCATE -> truncate(f);
            case APPEND -> append(f);
            case MMAP_READ -> mmapRead(f);
            case MMAP_WRITE -> mmapWrite(f);
            case FALLOCATE -> fallocate(f);
            case TRANSFER -> transfer(f);
            case FSYNC -> {
                record(f.name + " fsync");
                f.channel().force(true);
            }
            case REOPEN -> reopen(f);
            case OTHER_FD_WRITE -> otherDescriptorWrite(f);
            case OPEN_TRUNC -> openTruncAndWrite(f);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Operations

    private void write(FsxFile f) throws IOException {
        long offset = writeOffset();
        byte[] data = randomBytes(ioLength());
        record(f.name + " pwrite " + offset + "+" + data.length);
        writeFully(f.channel(), data, offset);
        f.model.write(offset, data, 0, data.length);
    }

    private void read(FsxFile f) throws IOException {
        long offset = readOffset(f);
        int length = ioLength();
        record(f.name + " pread " + offset + "+" + length + " (size " + f.model.size() + ")");
        checkRange(f, "pread", offset, readFully(f.channel(), offset, length));
    }

    private void truncate(FsxFile f) throws IOException {
        long length = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(NEAR_BYTES);
            case 1 -> Math.max(0, f.model.size() + random.nextInt(4 * BLOCK_BYTES) - 2 * BLOCK_BYTES);
            case 2 -> random.nextInt(f.model.size() + 1);
            default -> random.nextInt(10) == 0 ? chunkEdgeOffset() : random.nextInt(BLOCK_BYTES * 3);
        };
        record(f.name + " ftruncate " + f.model.size() + " -> " + length);
        f.open.setLength(length);
        f.model.truncate(length);
    }

    /** A write on a second descriptor opened with O_APPEND: the kernel places it at its idea of the end. */
    private void append(FsxFile f) throws IOException {
        byte[] data = randomBytes(ioLength());
        record(f.name + " O_APPEND write " + data.length + " at end " + f.model.size());
        try (FileChannel ch = FileChannel.open(path(f), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        f.model.write(f.model.size(), data, 0, data.length);
    }

    private void mmapRead(FsxFile f) throws IOException {
        int size = f.model.size();
        if (size == 0) {
            record(f.name + " mmap read skipped (empty)");
            return;
        }
        long offset = random.nextInt(size);
        int length = (int) Math.min(size - offset, ioLength());
        record(f.name + " mmap read " + offset + "+" + length);
        checkRange(f, "mmap read", offset, mmap.read(path(f), offset, length)); // inside the size: no SIGBUS
    }

    /** A shared writable mapping, msync'd: the kernel writes the dirty pages back through FUSE writes. */
    private void mmapWrite(FsxFile f) throws IOException {
        long offset = random.nextInt(NEAR_BYTES);
        byte[] data = randomBytes(Math.min(ioLength(), 64 * 1024));
        record(f.name + " mmap write " + offset + "+" + data.length + " + msync (size " + f.model.size() + ")");
        mmap.write(path(f), offset, data); // the mapping extends the file (ftruncate) when it reaches past the end
        f.model.extendTo(offset + data.length);
        f.model.write(offset, data, 0, data.length);
    }

    private void fallocate(FsxFile f) throws Exception {
        FallocMode mode = FallocMode.values()[random.nextInt(FallocMode.values().length)];
        if (unsupported.contains(mode)) {
            record(f.name + " fallocate " + mode + " skipped (the kernel refused it before)");
            return;
        }
        long offset = random.nextInt(10) == 0 && f.model.size() > 0 ? random.nextInt(f.model.size()) : writeOffset();
        long length = 1 + random.nextInt(random.nextBoolean() ? 3 * BLOCK_BYTES : 4096);
        record(f.name + " fallocate " + mode + " " + offset + "+" + length + " (size " + f.model.size() + ")");
        String[] command = new String[mode.flags.length + 6];
        command[0] = "fallocate";
        System.arraycopy(mode.flags, 0, command, 1, mode.flags.length);
        int at = mode.flags.length + 1;
        command[at++] = "-o";
        command[at++] = Long.toString(offset);
        command[at++] = "-l";
        command[at++] = Long.toString(length);
        command[at] = path(f).toString();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("fallocate(1) did not finish within " + PROCESS_WAIT_SECONDS + " s" + context());
        }
        if (p.exitValue() != 0) {
            if (output.contains("Operation not supported")) {
                System.out.printf("fsx: NOTE fallocate %s is not supported through this mount (%s); skipping it%n",
                        mode, output);
                unsupported.add(mode);
                record("  -> refused: " + output);
                return;
            }
            throw new AssertionError("fallocate(1) failed (" + p.exitValue() + "): " + output + context());
        }
        switch (mode) {
            case ALLOCATE -> f.model.extendTo(offset + length);
            case KEEP_SIZE -> { }
            case PUNCH_HOLE, ZERO_RANGE_KEEP_SIZE -> f.model.zero(offset, length);
            case ZERO_RANGE -> {
                f.model.zero(offset, length);
                f.model.extendTo(offset + length);
            }
        }
    }

    /** FileChannel.transferTo between two files of the mount: copy_file_range(2), or its splice fallback. */
    private void transfer(FsxFile target) throws IOException {
        FsxFile source = files[(indexOf(target) + 1 + random.nextInt(FILES - 1)) % FILES];
        long from = random.nextInt(source.model.size() + BLOCK_BYTES);
        int count = ioLength();
        long to = writeOffset();
        long expected = Math.max(0, Math.min(count, source.model.size() - from));
        record("transferTo " + source.name + "@" + from + "+" + count + " -> " + target.name + "@" + to
                + " (source size " + source.model.size() + ")");
        target.channel().position(to);
        long n = source.channel().transferTo(from, count, target.channel());
        if (n != expected) {
            throw new AssertionError("transferTo copied " + n + " bytes, expected " + expected + context());
        }
        byte[] copied = source.model.read(from, (int) n);
        target.model.write(to, copied, 0, copied.length);
    }

    /** A pwrite through a second descriptor, closed at once (its flush) while the long-lived one stays open. */
    private void otherDescriptorWrite(FsxFile f) throws IOException {
        long offset = writeOffset();
        byte[] data = randomBytes(ioLength());
        record(f.name + " open O_RDWR + pwrite " + offset + "+" + data.length + " + close");
        try (FileChannel ch = FileChannel.open(path(f), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writeFully(ch, data, offset);
        }
        f.model.write(offset, data, 0, data.length);
    }

    private void openTruncAndWrite(FsxFile f) throws IOException {
        byte[] data = randomBytes(random.nextBoolean() ? 0 : ioLength());
        record(f.name + " open O_TRUNC + write " + data.length + " + close");
        try (FileChannel ch = FileChannel.open(path(f), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, data, 0);
        }
        f.model.truncate(0);
        f.model.write(0, data, 0, data.length);
    }

    private void reopen(FsxFile f) throws IOException {
        record(f.name + " close + reopen + read (size " + f.model.size() + ")");
        f.open.close();
        f.open = new RandomAccessFile(path(f).toFile(), "rw");
        if (f.model.size() <= REOPEN_CHECK_WHOLE_BYTES_MAX) {
            checkWhole(f, "after reopen");
        } else { // a file reaching into the second chunk: its first MiB and its last block
            checkRange(f, "read after reopen", 0, readFully(f.channel(), 0, NEAR_BYTES));
            long tail = f.model.size() - BLOCK_BYTES;
            checkRange(f, "read after reopen", tail, readFully(f.channel(), tail, 2 * BLOCK_BYTES));
        }
    }

    private void remount(MetadataClient client, LocalDirectoryStore store) throws IOException {
        record("unmount + mount + read all files");
        closeFiles();
        mount.close();
        mount = mountVolume(client, store);
        for (FsxFile f : files) {
            f.open = new RandomAccessFile(path(f).toFile(), "rw");
            checkSize(f);
            checkWhole(f, "after remount");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Checks

    private void checkSize(FsxFile f) throws IOException {
        long size = f.open.length();
        if (size != f.model.size()) {
            throw new AssertionError("fsx: size of " + f.name + " is " + size + ", the model says " + f.model.size()
                    + context());
        }
    }

    private void checkWhole(FsxFile f, String what) throws IOException {
        int size = f.model.size();
        int piece = 1 << 20;
        for (long offset = 0; offset < size; offset += piece) {
            checkRange(f, "read " + what, offset, readFully(f.channel(), offset, piece));
        }
        byte[] past = readFully(f.channel(), size, 1);
        if (past.length != 0) {
            throw new AssertionError("fsx: " + f.name + " " + what + ": read past the end (" + size + ") returned "
                    + past.length + " byte(s)" + context());
        }
    }

    private void checkRange(FsxFile f, String what, long offset, byte[] got) {
        long at = f.model.firstDifference(offset, got);
        if (at < 0) {
            return;
        }
        byte[] expected = f.model.read(offset, got.length);
        int i = (int) (at - offset);
        throw new AssertionError(String.format(
                "fsx: %s of %s at %d: got %d byte(s), the model has %d; first differing offset %d"
                        + " (expected %s, got %s)%s",
                what, f.name, offset, got.length, expected.length, at, around(expected, i), around(got, i),
                context()));
    }

    private static String around(byte[] b, int i) {
        if (i >= b.length) {
            return "<end>";
        }
        return HexFormat.of().formatHex(b, i, Math.min(b.length, i + 16));
    }

    private String context() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nseed %d, step %d of %d; replay: -Dtest=FsxThroughMountTest -Dfsx.seed=%d -Dfsx.ops=%d",
                seed, step, opsTotal, seed, opsTotal));
        s.append(String.format("%nlast %d operations (newest last):", log.size()));
        for (String line : log) {
            s.append("\n  ").append(line);
        }
        return s.toString();
    }

    private void record(String what) {
        if (log.size() == LOG_TAIL) {
            log.removeFirst();
        }
        log.addLast("#" + step + " " + what);
    }

    // ------------------------------------------------------------------------------------------
    // Helpers

    private long writeOffset() {
        return random.nextInt(100) < 5 ? chunkEdgeOffset() : random.nextInt(NEAR_BYTES);
    }

    private long chunkEdgeOffset() {
        return FsLimits.CHUNK_SIZE_BYTES - CHUNK_EDGE_BYTES + random.nextInt(2 * CHUNK_EDGE_BYTES);
    }

    /** Mostly inside the file, sometimes just past its end, now and then near a far region it may reach. */
    private long readOffset(FsxFile f) {
        int size = f.model.size();
        if (size > FsLimits.CHUNK_SIZE_BYTES - CHUNK_EDGE_BYTES && random.nextInt(4) == 0) {
            return chunkEdgeOffset();
        }
        return random.nextInt(Math.max(1, Math.min(size, NEAR_BYTES + CHUNK_EDGE_BYTES)) + BLOCK_BYTES);
    }

    /** Mostly small (inside one block), a quarter up to a few blocks. */
    private int ioLength() {
        return 1 + (random.nextInt(4) == 0 ? random.nextInt(IO_BYTES_MAX) : random.nextInt(16 * 1024));
    }

    private byte[] randomBytes(int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private int indexOf(FsxFile f) {
        for (int i = 0; i < FILES; i++) {
            if (files[i] == f) {
                return i;
            }
        }
        throw new AssertionError("unknown file " + f.name);
    }

    private Path path(FsxFile f) {
        return mount.path(f.name);
    }

    private void closeFiles() throws IOException {
        for (FsxFile f : files) {
            if (f != null && f.open != null) {
                f.open.close();
                f.open = null;
            }
        }
    }

    private static void writeFully(FileChannel ch, byte[] data, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
            ch.write(buf, offset + buf.position());
        }
    }

    /** pread until {@code length} bytes or the end of file. */
    private static byte[] readFully(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                break;
            }
        }
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
    }
}
