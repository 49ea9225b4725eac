package io.mirrorfs.client.fuse;

import io.mirrorfs.client.testing.EngineMetadata;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStores;
import java.nio.file.Path;

/** A mount in its own process, for {@link KillDuringWriteTest} to kill with SIGKILL. Args: DIR. */
public final class CrashMountMain {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        EngineMetadata meta = EngineMetadata.open(dir.resolve("db"), "vol", 256 * 1024);
        MountedVolume.mount(meta, ObjectStores.open(dir.resolve("blocks").toUri().toString()), dir.resolve("cache"),
                64L << 20, VfsConfig.defaults(), dir.resolve("mnt"), FuseMount.Options.defaults("vol"));
        System.out.println("MOUNTED");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // until killed
    }
}
