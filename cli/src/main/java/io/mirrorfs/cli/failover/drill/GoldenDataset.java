package io.mirrorfs.cli.failover.drill;

import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.Attr;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.meta.MetaGateway;
import io.mirrorfs.client.vfs.Ctx;
import io.mirrorfs.client.vfs.Vfs;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

/**
 * Writes and checks the drill's golden files through the client library's VFS — the code path of a
 * mount without the kernel — so "acknowledged" means what it means to an application: close()
 * returned, i.e. every block is in the store and the slice commit was acknowledged by a Raft quorum.
 */
public final class GoldenDataset implements AutoCloseable {
    /** Bytes of one golden file at most; small files keep a drill on 2 cores quick. */
    public static final int FILE_BYTES_MAX = 1 << 20;
    private static final int MODE_FILE = 0644;
    private static final int MODE_DIR = 0755;

    /** A file as acknowledged: its path, size and SHA-256. */
    public record GoldenFile(String path, long bytes, String sha256) {}

    private final Vfs vfs;

    private GoldenDataset(Vfs vfs) {
        this.vfs = vfs;
    }

    /**
     * A client of one region's metadata group and store. Attribute and entry TTLs are 0 so every
     * check reads the group's current state, and metadata calls give up after {@code metaTimeout}
     * so a write to a dead primary fails instead of hanging the drill.
     */
    public static GoldenDataset open(MetadataClient client, ObjectStore store, Duration metaTimeout) throws IOException {
        VfsConfig config = new VfsConfig(0, 0, 10_000, metaTimeout, 4, 64 << 20, 4, 32L << 20, 8L << 20, 100, 100, 10_000);
        return new GoldenDataset(new Vfs(new MetaGateway(client, metaTimeout),
                MountedVolume.volumeInfo(client, config), store, null, config));
    }

    /** Creates {@code /dir} if missing. */
    public void mkdir(String dir) throws FsException {
        try {
            vfs.create(Ctx.ROOT, FsLimits.ROOT_INODE, dir, FileType.DIRECTORY, MODE_DIR, 0, null, false);
        } catch (FsException e) {
            if (e.errno() != io.mirrorfs.api.Errno.EEXIST) {
                throw e;
            }
        }
    }

    /** Writes {@code /dir/name} with {@code bytes} pseudo-random bytes; returns once acknowledged. */
    public GoldenFile write(String dir, String name, int bytes, Random random) throws FsException {
        if (bytes < 0 || bytes > FILE_BYTES_MAX) {
            throw new IllegalArgumentException("golden file size must be 0.." + FILE_BYTES_MAX + ": " + bytes);
        }
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        long parent = vfs.resolve(Ctx.ROOT, "/" + dir);
        long fh = vfs.create(Ctx.ROOT, parent, name, MODE_FILE, Vfs.O_WRONLY | Vfs.O_EXCL, new Attr[1]);
        try {
            vfs.write(fh, 0, data, data.length);
            vfs.flush(fh);
        } finally {
            vfs.release(fh);
        }
        return new GoldenFile("/" + dir + "/" + name, bytes, sha256(data, data.length));
    }

    /** Empty when the file reads back with its size and checksum; otherwise why not. */
    public Optional<String> check(GoldenFile f) {
        try {
            long inode = vfs.resolve(Ctx.ROOT, f.path());
            long fh = vfs.open(Ctx.ROOT, inode, 0);
            try {
                byte[] data = vfs.read(Ctx.ROOT, fh, 0, (int) f.bytes() + 1);
                if (data.length != f.bytes()) {
                    return Optional.of("size " + data.length + ", acknowledged " + f.bytes());
                }
                String sum = sha256(data, data.length);
                return sum.equals(f.sha256()) ? Optional.empty() : Optional.of("checksum " + sum + " != " + f.sha256());
            } finally {
                vfs.release(fh);
            }
        } catch (FsException e) {
            return Optional.of(e.errno() + ": " + e.getMessage());
        }
    }

    static String sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        vfs.close();
    }
}
