package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What it proves: a mount daemon killed with SIGKILL in the middle of writing loses nothing whose
 * fsync returned, and leaves no metadata pointing at a missing object (every file reads without EIO).
 * Fault model: the daemon process dies at an arbitrary point; the metadata (RocksDB) and the block
 * store (a local directory) survive, as they would on their own servers. Replay: -Dseed=N.
 */
class KillDuringWriteTest {
    @TempDir Path tmp;

    @Test
    void fsyncedFilesSurviveAKilledDaemon() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process daemon = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashMountMain.class.getName(), tmp.toString())
                .redirectError(tmp.resolve("daemon.err").toFile()).redirectOutput(tmp.resolve("daemon.out").toFile()).start();
        Path mnt = tmp.resolve("mnt");
        Map<String, byte[]> acknowledged = new LinkedHashMap<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(tmp.resolve("daemon.out")).contains("MOUNTED")) {
                assertThat(daemon.isAlive()).as("daemon alive (see daemon.err)").isTrue();
                assertThat(System.nanoTime() - deadline).as("daemon mounted within 60 s").isNegative();
                Thread.sleep(20); // polling for a condition with a deadline
            }
            for (int i = 0; i < 30; i++) {
                byte[] data = new byte[random.nextInt(1_500_000)];
                random.nextBytes(data);
                try (FileChannel ch = FileChannel.open(mnt.resolve("f" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(data));
                    ch.force(true);
                }
                acknowledged.put("f" + i, data);
            }
            // An unacknowledged write in flight when the daemon dies.
            FileChannel open = FileChannel.open(mnt.resolve("partial"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            open.write(ByteBuffer.wrap(new byte[3_000_000]));
            daemon.destroyForcibly(); // SIGKILL
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try {
                open.close();
            } catch (IOException expected) {
                // the daemon is gone: ENOTCONN
            }
        } finally {
            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
            new ProcessBuilder("fusermount", "-u", "-z", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }

        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", 256 * 1024);
             ObjectStore store = ObjectStores.open(tmp.resolve("blocks").toUri().toString());
             TestMount again = TestMount.of(meta, store, tmp, "again", VfsConfig.defaults(), 1.0)) {
            for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                assertThat(Files.readAllBytes(again.path(e.getKey()))).as("seed %d %s", seed, e.getKey()).isEqualTo(e.getValue());
            }
            try (Stream<Path> all = Files.list(again.root)) {
                for (Path p : all.toList()) {
                    Files.readAllBytes(p); // EIO here would mean metadata names a missing object
                }
            }
        }
        assertThat(List.of(Files.readString(tmp.resolve("daemon.err")))).isNotNull();
    }
}
