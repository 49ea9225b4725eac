package io.mirrorfs.client.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.BlockKey;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.SliceRef;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.testing.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data path without FUSE or metadata: writer → store → reader, against a byte-array model. */
class ChunkWriterReaderTest {
    private static final int BLOCK = 4096;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final MemoryStore store = new MemoryStore();
    private final Map<Integer, List<SliceRef>> chunks = new HashMap<>();
    private long nextSlice = 1;
    @TempDir Path tmp;

    private final SliceCommitter committer = new SliceCommitter() {
        @Override
        public void commit(long inode, int chunkIndex, SliceRef slice) {
            // the invariant under test: every block is in the store before the commit
            for (int b = 0; b < slice.getBlockCrc32CCount(); b++) {
                int size = BlockKey.blockSize(slice.getSliceSize(), BLOCK, b);
                assertThat(store.objects).containsKey(new BlockKey("v", slice.getSliceId(), b, size).objectKey());
            }
            synchronized (chunks) {
                chunks.computeIfAbsent(chunkIndex, c -> new ArrayList<>()).add(slice);
            }
        }

        @Override
        public synchronized long nextSliceId() {
            return nextSlice++;
        }
    };

    private List<SliceRef> slices(long inode, int chunk) {
        synchronized (chunks) {
            return List.copyOf(chunks.getOrDefault(chunk, List.of()));
        }
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void randomOverlappingWritesReadBackAsTheModel() throws Exception {
        FileWriter writer = new FileWriter(1, "v", BLOCK, new BlockUploader(store, pool, 64 * 1024), committer, pool);
        BlockFetcher fetcher = new BlockFetcher(store, new DiskBlockCache(tmp.resolve("cache"), 1 << 20), pool, 32 * 1024);
        FileReader reader = new FileReader("v", BLOCK, this::slices, fetcher);
        Random random = new Random(3);
        byte[] model = new byte[0];
        for (int i = 0; i < 200; i++) {
            int offset = random.nextInt(100_000);
            byte[] data = new byte[1 + random.nextInt(20_000)];
            random.nextBytes(data);
            writer.write(offset, data, 0, data.length);
            model = Arrays.copyOf(model, Math.max(model.length, offset + data.length));
            System.arraycopy(data, 0, model, offset, data.length);
            if (random.nextInt(5) == 0) {
                writer.flush();
                int from = random.nextInt(model.length);
                int length = random.nextInt(50_000);
                assertThat(reader.read(1, from, length, model.length))
                        .isEqualTo(Arrays.copyOfRange(model, from, Math.min(model.length, from + length)));
            }
        }
        writer.flush();
        assertThat(reader.read(1, 0, model.length + 10, model.length)).isEqualTo(model);
    }

    @Test
    void holesReadAsZerosAndWritesSplitAtChunkEdges() throws Exception {
        FileWriter writer = new FileWriter(1, "v", BLOCK, new BlockUploader(store, pool, 64 * 1024), committer, pool);
        FileReader reader = new FileReader("v", BLOCK, this::slices, new BlockFetcher(store, null, pool, 1 << 20));
        byte[] data = new byte[10_000];
        Arrays.fill(data, (byte) 9);
        long offset = FsLimits.CHUNK_SIZE_BYTES - 5_000;
        writer.write(offset, data, 0, data.length);
        writer.flush();
        assertThat(chunks.keySet()).containsExactlyInAnyOrder(0, 1);
        byte[] got = reader.read(1, offset - 100, 10_200, offset + data.length);
        assertThat(Arrays.copyOfRange(got, 0, 100)).containsOnly(0);
        assertThat(Arrays.copyOfRange(got, 100, 10_100)).containsOnly(9);
        assertThat(got).hasSize(10_100); // clipped at the file size
    }

    @Test
    void failedUploadIsReportedAndNothingIsCommitted() throws Exception {
        store.failPuts = true;
        FileWriter writer = new FileWriter(1, "v", BLOCK, new BlockUploader(store, pool, 64 * 1024), committer, pool);
        writer.write(0, new byte[10_000], 0, 10_000);
        assertThatThrownBy(writer::flush).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EIO));
        assertThat(chunks).isEmpty();
    }

    @Test
    void diskCacheEvictsLeastRecentlyUsedVerifiesAndSurvivesReopen() throws Exception {
        Path dir = tmp.resolve("dc");
        DiskBlockCache cache = new DiskBlockCache(dir, 10_000);
        cache.put("v/chunks/0/0/1_0_4000", new byte[4000]);
        cache.put("v/chunks/0/0/2_0_4000", new byte[4000]);
        cache.get("v/chunks/0/0/1_0_4000"); // 1 is now more recent than 2
        cache.put("v/chunks/0/0/3_0_4000", new byte[4000]);
        assertThat(cache.contains("v/chunks/0/0/2_0_4000")).isFalse();
        assertThat(cache.usedBytes()).isEqualTo(8000);
        DiskBlockCache reopened = new DiskBlockCache(dir, 10_000);
        assertThat(reopened.usedBytes()).isEqualTo(8000);
        assertThat(reopened.get("v/chunks/0/0/3_0_4000")).hasSize(4000);

        // A damaged cache entry is detected by CRC and replaced by the store's good copy.
        byte[] good = new byte[BLOCK];
        new Random(1).nextBytes(good);
        BlockKey key = new BlockKey("v", 77, 0, BLOCK);
        store.put(key.objectKey(), good);
        byte[] bad = good.clone();
        bad[0] ^= 1;
        reopened.put(key.objectKey(), bad);
        BlockFetcher fetcher = new BlockFetcher(store, reopened, pool, 1 << 20);
        assertThat(fetcher.fetch(key, Crc32c.of(good)).get()).isEqualTo(good);
        assertThat(Files.readAllBytes(dir.resolve(key.objectKey()))).isEqualTo(good);
    }
}
