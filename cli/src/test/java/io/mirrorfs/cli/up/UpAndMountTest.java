package io.mirrorfs.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirrorfs up} and {@code mirrorfs mount} on the real parts: each runs as a child process
 * (JVM, one-node Ratis group with fsync, local-directory block store, libfuse2 mount), is stopped
 * with SIGTERM and must unmount cleanly; a second start must find every file written by the first.
 * Cleanup ends the child and lazily unmounts even when an assertion failed.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class UpAndMountTest {
    private static final int SIGTERM_EXIT = 128 + 15;

    @TempDir Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Exception first = null;
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Test
    void upMountsBothRegionsStopsCleanlyOnSigtermAndResumesItsData() throws Exception {
        Path data = tmp.resolve("data");
        Path mount = tmp.resolve("mnt");
        Path primary = mount.resolve("primary");
        Path mirror = mount.resolve("mirror");
        cleanup.add(() -> {
            if (CliProcess.isMounted(mirror)) {
                CliProcess.lazyUnmount(mirror);
            }
        });
        Map<String, byte[]> files = sampleFiles(new Random(7));

        CliProcess first = started("up-1", primary, "up", "--data", data.toString(), "--mount", mount.toString(),
                "--cache-size-mib", "64");
        first.awaitOutput("mounted at");
        assertThat(CliProcess.isMounted(primary)).isTrue();
        assertThat(CliProcess.isMounted(mirror)).as("mirror mounted").isTrue();
        writeAll(primary, files);
        assertSame(primary, files, "first up, same mount");
        // Another client's writes reach the mirror asynchronously: wait for them, then every byte must match.
        awaitPresent(mirror, files.keySet());
        assertSame(mirror, files, "first up, mirror mount");
        // A write through the mirror mount goes to the primary; the writer reads it back at once (session).
        byte[] fromMirror = randomBytes(new Random(3), 300_000);
        Files.write(mirror.resolve("from-mirror.bin"), fromMirror);
        assertThat(Files.readAllBytes(mirror.resolve("from-mirror.bin"))).as("read-your-writes on the mirror").isEqualTo(fromMirror);
        assertThat(Files.readAllBytes(primary.resolve("from-mirror.bin"))).as("forwarded to the primary").isEqualTo(fromMirror);
        files.put("from-mirror.bin", fromMirror);

        CliProcess status = started("status", null, "status", "--data", data.toString());
        assertThat(status.awaitExit()).as("status exit; stdout:%n%s", status.stdoutText()).isZero();
        assertThat(status.stdoutText()).contains("primary  ").contains("mirror  ").contains("PRIMARY").contains("MIRROR");

        // A switchover on up's own layout: both mounts keep working without a remount.
        CliProcess switchover = started("switchover", null, "failover", "switchover", "--to", "mirror", "--data", data.toString());
        assertThat(switchover.awaitExit()).as("switchover exit; stdout:%n%s%nstderr:%n%s", switchover.stdoutText(),
                switchover.stderrText()).isZero();
        byte[] afterSwitchover = randomBytes(new Random(5), 70_000);
        Files.write(primary.resolve("after-switchover.bin"), afterSwitchover);
        assertThat(Files.readAllBytes(primary.resolve("after-switchover.bin"))).as("written through the demoted region's mount")
                .isEqualTo(afterSwitchover);
        awaitPresent(mirror, List.of("after-switchover.bin"));
        assertThat(Files.readAllBytes(mirror.resolve("after-switchover.bin"))).as("on the new primary's mount").isEqualTo(afterSwitchover);
        files.put("after-switchover.bin", afterSwitchover);
        stopCleanly(first, primary, "stopped cleanly");
        assertThat(CliProcess.isMounted(mirror)).as("mirror still mounted after stop").isFalse();

        // The second start finds the regions with their roles swapped and must serve the same files.
        CliProcess second = started("up-2", primary, "up", "--data", data.toString(), "--mount", mount.toString(),
                "--cache-size-mib", "64", "--mirror-consistency", "linearizable");
        second.awaitOutput("mounted at");
        assertSame(primary, files, "second up (resumed)");
        assertSame(mirror, files, "second up (resumed), linearizable mirror");
        stopCleanly(second, primary, "stopped cleanly");
    }

    /** Polls (with a deadline) until every path exists under root. */
    private static void awaitPresent(Path root, Iterable<String> paths) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String path : paths) {
            while (!Files.exists(root.resolve(path))) {
                assertThat(System.nanoTime() - deadline).as("%s reached the mirror within 60 s", path).isNegative();
                Thread.sleep(50); // polling a condition with a deadline
            }
        }
    }

    @Test
    void mountAgainstAMetaServerWritesReadsAndRemounts() throws Exception {
        MetaGroup group = MetaGroup.parse("mount-test-" + System.nanoTime(), "n1=127.0.0.1:" + freePortPair());
        MetaServer server = MetaServer.start(new MetaServerConfig("n1", group, tmp.resolve("meta")));
        cleanup.add(server);
        Path blocks = Files.createDirectories(tmp.resolve("blocks"));
        try (RaftMetadataClient client = RaftMetadataClient.connect(group)) {
            MetaReply formatted = client.mutate(MetaOps.format(new RequestIds().next(), "vol", blocks.toUri().toString(), 0))
                    .get(60, TimeUnit.SECONDS);
            assertThat(formatted.getErrno()).as("format").isZero();
        }
        Path mnt = tmp.resolve("mnt");
        String peers = "n1=127.0.0.1:" + group.peers().get(0).raftPort();
        String[] args = {"mount", "--meta", peers, "--group", group.name(), "--cache-dir", tmp.resolve("cache").toString(),
            "--cache-size-mib", "64", mnt.toString()};
        Map<String, byte[]> files = sampleFiles(new Random(11));

        CliProcess first = started("mount-1", mnt, args);
        first.awaitOutput("mounted at");
        writeAll(mnt, files);
        assertSame(mnt, files, "first mount");
        stopCleanly(first, mnt, "unmounted");

        // The blocks are really in the store the volume names, not only in the client's cache.
        try (var walk = Files.walk(blocks)) {
            assertThat(walk.filter(Files::isRegularFile).count()).as("block objects in the store").isPositive();
        }
        CliProcess second = started("mount-2", mnt, args);
        second.awaitOutput("mounted at");
        assertSame(mnt, files, "remount");
        stopCleanly(second, mnt, "unmounted");
    }

    private CliProcess started(String name, Path mountPoint, String... args) throws IOException {
        CliProcess p = CliProcess.start(tmp, name, mountPoint, args);
        cleanup.add(p);
        return p;
    }

    private static void stopCleanly(CliProcess p, Path mountPoint, String goodbye) throws Exception {
        int code = p.terminate();
        String err = p.stderrText();
        assertThat(code).as("exit code after SIGTERM; stderr:\n%s", err).isEqualTo(SIGTERM_EXIT);
        assertThat(err).as("stderr").contains(goodbye).doesNotContain("stop failed").doesNotContain("unmount failed");
        assertThat(CliProcess.isMounted(mountPoint)).as("still mounted after stop").isFalse();
    }

    /** Empty, tiny, one-block and multi-block (> 4 MiB block size) files, one in a subdirectory. */
    private static Map<String, byte[]> sampleFiles(Random random) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("empty", new byte[0]);
        files.put("tiny.txt", "hello mirrorfs\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        files.put("dir/sub/block.bin", randomBytes(random, 1 << 20));
        files.put("dir/multi.bin", randomBytes(random, (9 << 20) + 12_345));
        return files;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void writeAll(Path root, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = root.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
    }

    private static void assertSame(Path root, Map<String, byte[]> files, String where) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = root.resolve(e.getKey());
            assertThat(Files.size(p)).as("%s: size of %s", where, e.getKey()).isEqualTo(e.getValue().length);
            assertThat(Files.readAllBytes(p)).as("%s: bytes of %s", where, e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** A port P with P + 1 free too (a metadata node's Raft and admin ports). */
    private static int freePortPair() throws IOException {
        return LoopbackPorts.freePortPair();
    }
}
