package io.mirrorfs.client.testing;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.client.fuse.FuseMount;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;

/** Mounts a volume for a test; close() always unmounts, even when the test failed. */
public final class TestMount implements AutoCloseable {
    public final MountedVolume volume;
    public final Path root;

    private TestMount(MountedVolume volume) {
        this.volume = volume;
        this.root = volume.mountPoint();
    }

    public static TestMount of(MetadataClient meta, ObjectStore store, Path dir, String name, VfsConfig config,
                               double kernelTtlSeconds) throws IOException {
        MountedVolume v = MountedVolume.mount(meta, store, dir.resolve(name + "-cache"), 256L << 20, config,
                dir.resolve(name), FuseMount.Options.defaults("test").withTimeouts(kernelTtlSeconds, kernelTtlSeconds));
        return new TestMount(v);
    }

    public Path path(String relative) {
        return root.resolve(relative);
    }

    @Override
    public void close() throws IOException {
        volume.close();
    }
}
