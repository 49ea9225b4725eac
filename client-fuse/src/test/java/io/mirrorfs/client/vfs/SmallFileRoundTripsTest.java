package io.mirrorfs.client.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.LockKind;
import io.mirrorfs.api.proto.LockType;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.chunk.StoreBlockSource;
import io.mirrorfs.client.meta.MetaGateway;
import io.mirrorfs.client.meta.SessionKeeper;
import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.testing.MemoryStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata round trips of the small-file path (what the kernel asks for an
 * {@code open(O_CREAT|O_TRUNC) + write + close}) and the keep_cache decision at open, on the VFS
 * over the real namespace engine. Counts, not times: speed lives in the benchmark.
 */
class SmallFileRoundTripsTest {
    private static final int BLOCK = 64 * 1024;
    private static final int O_CREAT_TRUNC_WRONLY = 0100 | Vfs.O_TRUNC | Vfs.O_WRONLY;
    @TempDir Path tmp;

    private static Vfs vfs(EngineMetadata meta, MemoryStore store) throws FsException {
        MetaGateway gateway = new MetaGateway(meta, VfsConfig.defaults().metaTimeout());
        VolumeInfo volume = gateway.query(Ctx.ROOT.caller(), io.mirrorfs.api.proto.MetaQuery.newBuilder()
                .setVolume(io.mirrorfs.api.proto.VolumeQuery.getDefaultInstance())).getVolume();
        return new Vfs(gateway, volume, store, null, VfsConfig.defaults());
    }

    /** A VFS with a session keeper, as a mount has: locks are only taken inside a session. */
    private static Vfs vfsWithSession(EngineMetadata meta, MemoryStore store, String mountPoint) throws FsException {
        MetaGateway gateway = new MetaGateway(meta, VfsConfig.defaults().metaTimeout());
        VolumeInfo volume = gateway.query(Ctx.ROOT.caller(), io.mirrorfs.api.proto.MetaQuery.newBuilder()
                .setVolume(io.mirrorfs.api.proto.VolumeQuery.getDefaultInstance())).getVolume();
        SessionKeeper session = SessionKeeper.start(gateway, mountPoint, VfsConfig.SESSION_TTL_DEFAULT);
        return new Vfs(gateway, volume, store, new StoreBlockSource(store), null, VfsConfig.defaults(), session);
    }

    @Test
    void createWriteCloseOfANewFileCostsOneCreateAndOneCommit() throws Exception {
        MemoryStore store = new MemoryStore();
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", BLOCK);
             Vfs vfs = vfs(meta, store)) {
            Ctx ctx = new Ctx(0, 0, 022, 1);
            vfs.create(ctx, FsLimits.ROOT_INODE, "dir", io.mirrorfs.api.proto.FileType.DIRECTORY, 0755, 0, null, false);
            vfs.resolve(ctx, "/dir");
            // Warm up: the first file also reserves a batch of inode and slice ids.
            writeSmallFile(vfs, ctx, "/dir/warmup", new byte[1000]);
            Map<String, Long> before = vfs.metaStats().calls();

            byte[] data = new byte[64 * 1024];
            Arrays.fill(data, (byte) 7);
            long fh = writeSmallFile(vfs, ctx, "/dir/f1", data);

            Map<String, Long> delta = delta(before, vfs.metaStats().calls());
            // lookup (the kernel's negative LOOKUP before CREATE), create, commit: nothing else.
            assertThat(delta).as("metadata round trips of one small file")
                    .containsOnlyKeys("LOOKUP", "CREATE", "COMMIT_SLICE")
                    .containsEntry("LOOKUP", 1L).containsEntry("CREATE", 1L).containsEntry("COMMIT_SLICE", 1L);
            assertThat(fh).isPositive();
            long inode = vfs.resolve(ctx, "/dir/f1");
            assertThat(vfs.getattr(ctx, inode).getSize()).isEqualTo(data.length);
            assertThat(delta(before, vfs.metaStats().calls())).as("attrs after close come from the commit reply")
                    .doesNotContainKey("GETATTR");
        }
    }

    @Test
    void unlockIsSentOnceThisMountHasLockedTheFile() throws Exception {
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", BLOCK);
             Vfs a = vfsWithSession(meta, new MemoryStore(), "/a");
             Vfs b = vfsWithSession(meta, new MemoryStore(), "/b")) {
            Ctx ctx = new Ctx(0, 0, 022, 1);
            writeSmallFile(a, ctx, "/locked", new byte[10]);
            long inode = a.resolve(ctx, "/locked");
            a.lock(ctx, inode, LockKind.POSIX, LockType.WRITE, 0, -1L, 7, false);
            assertThatThrownBy(() -> b.lock(ctx, inode, LockKind.POSIX, LockType.WRITE, 0, -1L, 8, false))
                    .isInstanceOf(FsException.class);
            long locksBefore = a.metaStats().calls().getOrDefault("LOCK", 0L);
            a.lock(ctx, inode, LockKind.POSIX, LockType.UNLOCK, 0, -1L, 7, false);
            assertThat(a.metaStats().calls().get("LOCK")).as("the unlock went to the server").isEqualTo(locksBefore + 1);
            b.lock(ctx, inode, LockKind.POSIX, LockType.WRITE, 0, -1L, 8, false); // free again
        }
    }

    @Test
    void aVfsWithoutASessionRefusesLocksAndSendsNone() throws Exception {
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", BLOCK);
             Vfs vfs = vfs(meta, new MemoryStore())) {
            Ctx ctx = new Ctx(0, 0, 022, 1);
            writeSmallFile(vfs, ctx, "/locked", new byte[10]);
            long inode = vfs.resolve(ctx, "/locked");
            assertThatThrownBy(() -> vfs.lock(ctx, inode, LockKind.FLOCK, LockType.WRITE, 0, -1L, 7, false))
                    .isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.ENOLCK));
            assertThat(vfs.metaStats().calls()).as("nothing sent to the server").doesNotContainKey("LOCK");
        }
    }

    @Test
    void emptyFileIsNotCommitted() throws Exception {
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", BLOCK);
             Vfs vfs = vfs(meta, new MemoryStore())) {
            Ctx ctx = new Ctx(0, 0, 022, 1);
            writeSmallFile(vfs, ctx, "/empty", new byte[0]);
            assertThat(vfs.metaStats().calls()).doesNotContainKey("COMMIT_SLICE");
        }
    }

    @Test
    void keepCacheOnlyWhileNoOneChangedTheFile() throws Exception {
        MemoryStore store = new MemoryStore();
        try (EngineMetadata meta = EngineMetadata.open(tmp.resolve("db"), "vol", BLOCK);
             Vfs a = vfs(meta, store);
             Vfs b = vfs(meta, store)) {
            Ctx ctx = new Ctx(0, 0, 022, 1);
            byte[] first = new byte[5000];
            Arrays.fill(first, (byte) 1);
            writeSmallFile(a, ctx, "/f", first);
            long inode = a.resolve(ctx, "/f");

            assertThat(openKeeps(a, ctx, inode)).as("first open after our own write").isFalse();
            assertThat(openKeeps(a, ctx, inode)).as("second open, nothing changed").isTrue();

            // Another client rewrites the file with the same size (mtime in the same second).
            byte[] second = new byte[5000];
            Arrays.fill(second, (byte) 2);
            long fh = b.open(ctx, b.resolve(ctx, "/f"), Vfs.O_WRONLY);
            b.write(fh, 0, second, second.length);
            b.flush(fh);
            b.release(fh);

            assertThat(openKeeps(a, ctx, inode)).as("open after another client's same-size rewrite").isFalse();
            long rfh = a.open(ctx, inode, 0);
            assertThat(a.read(ctx, rfh, 0, 5000)).isEqualTo(second);
            a.release(rfh);
            assertThat(openKeeps(a, ctx, inode)).as("unchanged again").isTrue();

            // A truncate through open(O_TRUNC) changes the file under the kernel's cache.
            long tfh = a.open(ctx, inode, Vfs.O_WRONLY | Vfs.O_TRUNC);
            assertThat(a.keepsPageCache(tfh)).isFalse();
            a.release(tfh);
        }
    }

    private static boolean openKeeps(Vfs vfs, Ctx ctx, long inode) throws FsException {
        long fh = vfs.open(ctx, inode, 0);
        try {
            return vfs.keepsPageCache(fh);
        } finally {
            vfs.release(fh);
        }
    }

    /** What the kernel sends for open(path, O_CREAT|O_TRUNC|O_WRONLY), write, close. */
    private static long writeSmallFile(Vfs vfs, Ctx ctx, String path, byte[] data) throws FsException {
        int slash = path.lastIndexOf('/');
        long parent = vfs.resolve(ctx, slash == 0 ? "/" : path.substring(0, slash));
        String name = path.substring(slash + 1);
        vfs.getattr(ctx, parent); // default_permissions: the kernel checks the directory's attrs first
        assertThatThrownBy(() -> vfs.lookup(ctx, parent, name)).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.ENOENT));
        Attr[] created = new Attr[1];
        long fh = vfs.create(ctx, parent, name, 0644, O_CREAT_TRUNC_WRONLY, created);
        vfs.getattr(ctx, created[0].getInode()); // libfuse's fgetattr after create
        if (data.length > 0) {
            assertThatThrownBy(() -> vfs.getxattr(ctx, created[0].getInode(), "security.capability"))
                    .isInstanceOf(FsException.class);
            vfs.write(fh, 0, data, data.length);
        }
        // libfuse2's flush releases the owner's POSIX locks on every close.
        vfs.lock(ctx, created[0].getInode(), LockKind.POSIX, LockType.UNLOCK, 0, -1L, 99, false);
        vfs.flush(fh);
        vfs.release(fh);
        return fh;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new java.util.TreeMap<>();
        after.forEach((k, v) -> {
            long n = v - before.getOrDefault(k, 0L);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }
}
