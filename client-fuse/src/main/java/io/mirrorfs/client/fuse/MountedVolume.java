package io.mirrorfs.client.fuse;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.api.proto.VolumeQuery;
import io.mirrorfs.client.FsException;
import io.mirrorfs.client.chunk.BlockSource;
import io.mirrorfs.client.chunk.DiskBlockCache;
import io.mirrorfs.client.chunk.StoreBlockSource;
import io.mirrorfs.client.meta.MetaGateway;
import io.mirrorfs.client.meta.SessionKeeper;
import io.mirrorfs.client.vfs.Vfs;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A whole client mount assembled from its parts: metadata client → gateway → VFS (with the store
 * and disk cache) → FUSE adapter → kernel mount. Closing unmounts first, then drains the VFS, so
 * nothing is lost that the kernel had already handed over.
 */
public final class MountedVolume implements AutoCloseable {
    private final Vfs vfs;
    private final FuseMount mount;

    private MountedVolume(Vfs vfs, FuseMount mount) {
        this.vfs = vfs;
        this.mount = mount;
    }

    /** Reads the volume's description (name, block size, store URI) from the metadata group. */
    public static VolumeInfo volumeInfo(MetadataClient client, VfsConfig config) throws IOException {
        try {
            return new MetaGateway(client, config.metaTimeout()).query(Caller.getDefaultInstance(),
                    MetaQuery.newBuilder().setVolume(VolumeQuery.getDefaultInstance())).getVolume();
        } catch (FsException e) {
            throw new IOException("cannot read the volume description: " + e.getMessage(), e);
        }
    }

    public static MountedVolume mount(MetadataClient client, ObjectStore store, Path cacheDir, long cacheBytes,
                                      VfsConfig config, Path mountPoint, FuseMount.Options options) throws IOException {
        return mount(client, store, new StoreBlockSource(store), cacheDir, cacheBytes, config, mountPoint, options);
    }

    /**
     * A mount whose blocks are uploaded to {@code uploadStore} and read through {@code blocks} — a
     * mirror mount (client.mirror.MirrorMounts) passes the primary's store and a MirrorBlockSource.
     */
    public static MountedVolume mount(MetadataClient client, ObjectStore uploadStore, BlockSource blocks, Path cacheDir,
                                      long cacheBytes, VfsConfig config, Path mountPoint, FuseMount.Options options)
            throws IOException {
        VolumeInfo volume = volumeInfo(client, config);
        DiskBlockCache diskCache = cacheDir == null || cacheBytes <= 0 ? null : new DiskBlockCache(cacheDir, cacheBytes);
        MetaGateway gateway = new MetaGateway(client, config.metaTimeout());
        SessionKeeper session = SessionKeeper.start(gateway, mountPoint.toAbsolutePath().toString(), config.sessionTtl());
        Vfs vfs;
        try {
            vfs = new Vfs(gateway, volume, uploadStore, blocks, diskCache, config, session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        try {
            return new MountedVolume(vfs, FuseMount.mount(new MirrorFuseFs(vfs), mountPoint, options));
        } catch (IOException | RuntimeException e) {
            vfs.close();
            throw e;
        }
    }

    public Path mountPoint() {
        return mount.mountPoint();
    }

    public Vfs vfs() {
        return vfs;
    }

    @Override
    public void close() throws IOException {
        try {
            mount.close();
        } finally {
            vfs.close();
        }
    }
}
