package io.mirrorfs.client.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import io.mirrorfs.client.testing.TestMount;
import io.mirrorfs.client.vfs.VfsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everyday tools on the mount: each must succeed and leave exactly the bytes a local disk would. */
class RealToolsTest {
    @TempDir static Path tmp;
    static EngineMetadata meta;
    static TestMount m;

    @BeforeAll
    static void mount() throws IOException {
        meta = EngineMetadata.open(tmp.resolve("db"), "vol", 256 * 1024);
        m = TestMount.of(meta, new MemoryStore(), tmp, "mnt", VfsConfig.defaults(), 1.0);
    }

    @AfterAll
    static void unmount() throws IOException {
        try {
            if (m != null) m.close();
        } finally {
            if (meta != null) meta.close();
        }
    }

    static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        assertThat(p.exitValue()).as("%s exit; output:%n%s", List.of(command), out).isZero();
        return out;
    }

    /** A local tree with files of several sizes, a symlink and a hard link. */
    static Path sampleTree(Path root) throws IOException {
        Random r = new Random(7);
        Files.createDirectories(root.resolve("sub/deeper"));
        int[] sizes = {0, 1, 4095, 65536, 300_000, 1_100_000};
        for (int i = 0; i < sizes.length; i++) {
            byte[] b = new byte[sizes[i]];
            r.nextBytes(b);
            Files.write(root.resolve((i % 2 == 0 ? "sub/" : "sub/deeper/") + "file" + i), b);
        }
        Files.createSymbolicLink(root.resolve("link"), Path.of("sub/file1"));
        Files.createLink(root.resolve("hard"), root.resolve("sub/file4"));
        return root;
    }

    @Test
    void tarExtractAndRecreate() throws Exception {
        Path src = sampleTree(tmp.resolve("tar-src"));
        run(tmp, "tar", "-C", src.toString(), "-cf", tmp.resolve("a.tar").toString(), ".");
        Path dest = m.path("tar");
        Files.createDirectories(dest);
        run(dest, "tar", "-xf", tmp.resolve("a.tar").toString());
        run(tmp, "diff", "-r", "--no-dereference", src.toString(), dest.toString());
        assertThat(Files.readSymbolicLink(dest.resolve("link"))).isEqualTo(Path.of("sub/file1"));
        assertThat(Files.getAttribute(dest.resolve("hard"), "unix:ino")).isEqualTo(Files.getAttribute(dest.resolve("sub/file4"), "unix:ino"));
        assertThat(Files.getAttribute(dest.resolve("hard"), "unix:nlink")).isEqualTo(2);
        // re-create from the mount and compare the listings
        run(dest, "tar", "-cf", tmp.resolve("b.tar").toString(), ".");
        Path back = tmp.resolve("tar-back");
        Files.createDirectories(back);
        run(back, "tar", "-xf", tmp.resolve("b.tar").toString());
        run(tmp, "diff", "-r", "--no-dereference", src.toString(), back.toString());
    }

    @Test
    void rsyncRoundTrip() throws Exception {
        Path src = sampleTree(tmp.resolve("rsync-src"));
        run(tmp, "rsync", "-aH", src + "/", m.path("rsync") + "/");
        run(tmp, "rsync", "-aH", m.path("rsync") + "/", tmp.resolve("rsync-back") + "/");
        run(tmp, "diff", "-r", "--no-dereference", src.toString(), tmp.resolve("rsync-back").toString());
        // a second rsync finds nothing to do
        String second = run(tmp, "rsync", "-aHi", src + "/", m.path("rsync") + "/");
        assertThat(second.strip()).isEmpty();
    }

    @Test
    void gitInitAddCommit() throws Exception {
        Path repo = m.path("repo");
        Files.createDirectories(repo);
        run(repo, "git", "init", "-q");
        Files.writeString(repo.resolve("README"), "hello\n");
        run(repo, "git", "add", "README");
        run(repo, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first");
        Files.writeString(repo.resolve("README"), "hello again\n");
        run(repo, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "second");
        assertThat(run(repo, "git", "log", "--oneline")).contains("first").contains("second");
        run(repo, "git", "fsck", "--strict");
    }

    @Test
    void sqliteCreateAndQuery() throws Exception {
        Path db = m.path("db.sqlite");
        StringBuilder sql = new StringBuilder("create table t(k integer primary key, v text); begin;");
        for (int i = 0; i < 2000; i++) {
            sql.append("insert into t(v) values ('value-").append(i).append("');");
        }
        sql.append("commit;");
        run(tmp, "sqlite3", db.toString(), sql.toString());
        assertThat(run(tmp, "sqlite3", db.toString(), "select count(*), max(v) from t;").strip()).isEqualTo("2000|value-999");
        assertThat(run(tmp, "sqlite3", db.toString(), "pragma integrity_check;").strip()).isEqualTo("ok");
    }

    @Test
    void cpSparse() throws Exception {
        Path sparse = tmp.resolve("sparse");
        run(tmp, "truncate", "-s", "20M", sparse.toString());
        run(tmp, "dd", "if=/dev/urandom", "of=" + sparse, "bs=64k", "count=3", "seek=100", "conv=notrunc", "status=none");
        run(tmp, "cp", "--sparse=always", sparse.toString(), m.path("sparse").toString());
        run(tmp, "cmp", sparse.toString(), m.path("sparse").toString());
        run(tmp, "cp", "--sparse=always", m.path("sparse").toString(), tmp.resolve("sparse-back").toString());
        run(tmp, "cmp", sparse.toString(), tmp.resolve("sparse-back").toString());
    }

    @Test
    void manyFilesInOneDirectoryAreAllListed() throws Exception {
        Path dir = m.path("many");
        Files.createDirectories(dir);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            names.add("n" + i);
            Files.writeString(dir.resolve("n" + i), Integer.toString(i));
        }
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(names);
        }
        assertThat(run(dir, "ls", "-a").lines().toList()).contains(".", "..");
    }
}
