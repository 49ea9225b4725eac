package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random writes, reads and truncates over several files through a real mount, compared with an
 * in-memory model after every read and at the end; then the same files checked after a remount and
 * from a second mount of the same volume (close-to-open). Seeded: a failure replays with its seed.
 */
class FileContentModelTest {
    private static final int BLOCK = 64 * 1024; // small blocks: many block boundaries in small files
    private static final int FILES = 6;
    private static final int SIZE_MAX = 600_000;
    @TempDir Path tmp;

    @Test
    void randomWritesReadsAndTruncatesMatchTheModel() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        MemoryStore store = new MemoryStore();
        Map<String, byte[]> model = new HashMap<>();
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", BLOCK)) {
            try (TestMount m = TestMount.of(meta, store, tmp, "a", VfsConfig.defaults(), 1.0)) {
                for (int step = 0; step < 300; step++) {
                    String name = "f" + random.nextInt(FILES);
                    Path p = m.path(name);
                    byte[] now = model.getOrDefault(name, new byte[0]);
                    switch (random.nextInt(6)) {
                        case 0, 1, 2 -> {
                            int offset = random.nextInt(SIZE_MAX);
                            byte[] data = new byte[1 + random.nextInt(random.nextBoolean() ? 300_000 : 5_000)];
                            random.nextBytes(data);
                            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                                f.seek(offset);
                                f.write(data);
                            }
                            byte[] next = Arrays.copyOf(now, Math.max(now.length, offset + data.length));
                            System.arraycopy(data, 0, next, offset, data.length);
                            model.put(name, next);
                        }
                        case 3 -> {
                            int length = random.nextInt(SIZE_MAX);
                            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                                f.setLength(length);
                            }
                            model.put(name, Arrays.copyOf(now, length));
                        }
                        case 4 -> {
                            if (model.containsKey(name)) {
                                int offset = random.nextInt(now.length + 1);
                                int length = random.nextInt(200_000);
                                byte[] got = new byte[length];
                                int n;
                                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
                                    f.seek(offset);
                                    n = Math.max(0, f.read(got));
                                }
                                int expected = Math.max(0, Math.min(length, now.length - offset));
                                assertThat(n).as("seed %d step %d read length", seed, step).isEqualTo(expected);
                                assertThat(Arrays.copyOf(got, n)).as("seed %d step %d", seed, step)
                                        .isEqualTo(Arrays.copyOfRange(now, offset, offset + expected));
                            }
                        }
                        default -> { // append through O_APPEND
                            byte[] data = new byte[1 + random.nextInt(70_000)];
                            random.nextBytes(data);
                            Files.write(p, data, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                            byte[] next = Arrays.copyOf(now, now.length + data.length);
                            System.arraycopy(data, 0, next, now.length, data.length);
                            model.put(name, next);
                        }
                    }
                }
                checkAll(m, model, seed, "first mount");
                try (TestMount second = TestMount.of(meta, store, tmp, "b", VfsConfig.defaults(), 1.0)) {
                    checkAll(second, model, seed, "second mount");
                    // close-to-open across mounts: a write closed on one is seen by the next open on the other
                    byte[] fresh = new byte[123_457];
                    random.nextBytes(fresh);
                    Files.write(second.path("f0"), fresh);
                    model.put("f0", fresh);
                    checkAll(m, model, seed, "first mount after the second wrote");
                    // keep_cache: the first mount has f0 in its page cache now; a rewrite by the second
                    // mount with the same size, within the same second, must still be seen at open.
                    checkAll(m, model, seed, "first mount, read again (page cache kept)");
                    byte[] sameSize = new byte[fresh.length];
                    random.nextBytes(sameSize);
                    try (RandomAccessFile f = new RandomAccessFile(second.path("f0").toFile(), "rw")) {
                        f.seek(0);
                        f.write(sameSize); // no truncate: only the data changes
                    }
                    model.put("f0", sameSize);
                    checkAll(m, model, seed, "first mount after a same-size rewrite by the second");
                    // And a local write on the first mount is seen by the second.
                    byte[] local = new byte[fresh.length];
                    random.nextBytes(local);
                    try (RandomAccessFile f = new RandomAccessFile(m.path("f0").toFile(), "rw")) {
                        f.write(local);
                    }
                    model.put("f0", local);
                    checkAll(second, model, seed, "second mount after a same-size rewrite by the first");
                    checkAll(m, model, seed, "first mount after its own rewrite");
                }
            }
            try (TestMount again = TestMount.of(meta, store, tmp, "a", VfsConfig.defaults(), 1.0)) {
                checkAll(again, model, seed, "remount");
            }
        }
    }

    private static void checkAll(TestMount m, Map<String, byte[]> model, long seed, String where) throws IOException {
        for (Map.Entry<String, byte[]> e : model.entrySet()) {
            assertThat(Files.readAllBytes(m.path(e.getKey()))).as("seed %d %s %s", seed, where, e.getKey())
                    .isEqualTo(e.getValue());
        }
    }
}
