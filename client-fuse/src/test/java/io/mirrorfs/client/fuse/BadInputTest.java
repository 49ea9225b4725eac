package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors reach applications as errno, and the daemon keeps serving afterwards. */
class BadInputTest {
    @TempDir Path tmp;

    private static String errnoOf(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    @Test
    void nameTooLongWriteTooFarAndMissingBlock() throws Exception {
        MemoryStore store = new MemoryStore();
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", 1 << 20);
             TestMount m = TestMount.of(meta, store, tmp, "mnt", VfsConfig.defaults().withTtlMillis(0, 0), 0)) {
            String longName = "x".repeat(256);
            assertThat(errnoOf(List.of("touch", m.path(longName).toString()))).contains("File name too long");
            assertThat(errnoOf(List.of("mkdir", m.path("d" + longName).toString()))).contains("File name too long");

            // EFBIG: a write ending past the largest file size.
            Path big = m.path("big");
            Files.write(big, new byte[] {1});
            String dd = errnoOf(List.of("dd", "if=/dev/zero", "of=" + big, "bs=4096", "count=1", "conv=notrunc",
                    "oflag=seek_bytes", "seek=" + (FsLimits.FILE_SIZE_BYTES_MAX - 100)));
            System.out.println("dd said: " + dd + " size now " + Files.size(big));
            assertThat(dd).contains("File too large");
            assertThat(errnoOf(List.of("truncate", "-s", Long.toString(FsLimits.FILE_SIZE_BYTES_MAX + 1), big.toString())))
                    .contains("File too large");

            // EIO: a block the metadata names is gone from the store.
            byte[] data = new byte[3 << 20];
            java.util.Arrays.fill(data, (byte) 7);
            Files.write(m.path("victim"), data);
            String lost = store.objects.keySet().stream().filter(k -> k.contains("_1_")).findFirst().orElseThrow();
            store.objects.remove(lost);
            try (RandomAccessFile f = new RandomAccessFile(m.path("victim").toFile(), "r")) {
                f.seek(1 << 20);
                assertThatThrownBy(() -> f.read(new byte[4096])).isInstanceOf(IOException.class)
                        .hasMessageContaining("Input/output error");
            }
            // A block with wrong bytes is EIO too, never the wrong bytes.
            String damaged = store.objects.keySet().stream().filter(k -> k.contains("_2_")).findFirst().orElseThrow();
            byte[] bad = store.objects.get(damaged).clone();
            bad[10] ^= 1;
            store.objects.put(damaged, bad);
            try (RandomAccessFile f = new RandomAccessFile(m.path("victim").toFile(), "r")) {
                f.seek(2 << 20);
                assertThatThrownBy(() -> f.read(new byte[4096])).isInstanceOf(IOException.class);
            }
            // Still serving.
            Files.writeString(m.path("after"), "alive");
            assertThat(Files.readString(m.path("after"))).isEqualTo("alive");
        }
    }
}
