package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FuseSmokeTest {
    @TempDir Path tmp;

    @Test
    void writesReadsAndListsThroughARealMount() throws Exception {
        MemoryStore store = new MemoryStore();
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", 1 << 20);
             TestMount m = TestMount.of(meta, store, tmp, "mnt", VfsConfig.defaults(), 1.0)) {
            byte[] data = new byte[3 * (1 << 20) + 12345];
            new Random(1).nextBytes(data);
            Files.createDirectories(m.path("a/b"));
            Files.write(m.path("a/b/f"), data);
            assertThat(Files.readAllBytes(m.path("a/b/f"))).isEqualTo(data);
            assertThat(Files.size(m.path("a/b/f"))).isEqualTo(data.length);
            try (Stream<Path> s = Files.list(m.path("a"))) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("b");
            }
            assertThat(store.objects).hasSize(4);
        }
    }
}
