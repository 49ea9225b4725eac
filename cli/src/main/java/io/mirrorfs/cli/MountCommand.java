package io.mirrorfs.cli;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.client.fuse.FuseMount;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mount a volume with FUSE; runs in the foreground until SIGINT/SIGTERM, then unmounts.")
final class MountCommand implements Callable<Integer> {

    @Option(names = "--meta", required = true, description = "metadata peers: ID=HOST:PORT[,ID=HOST:PORT...]")
    String meta;

    @Option(names = "--group", defaultValue = MetaGroup.DEFAULT_NAME, description = "metadata group name; default ${DEFAULT-VALUE}")
    String group;

    @Option(names = "--store", description = "object store URI; default: the one recorded in the volume")
    String store;

    @Option(names = "--cache-dir", description = "local block cache folder; default: none")
    Path cacheDir;

    @Option(names = "--cache-size-mib", defaultValue = "1024", description = "local block cache size; default ${DEFAULT-VALUE}")
    long cacheMib;

    @Option(names = "--attr-ttl-ms", defaultValue = "1000", description = "attribute cache TTL (client and kernel); default ${DEFAULT-VALUE}")
    long attrTtlMillis;

    @Option(names = "--entry-ttl-ms", defaultValue = "1000", description = "name lookup cache TTL (client and kernel); default ${DEFAULT-VALUE}")
    long entryTtlMillis;

    @Parameters(index = "0", description = "mount point")
    Path mountPoint;

    @Override
    public Integer call() throws Exception {
        VfsConfig config = VfsConfig.defaults().withTtlMillis(attrTtlMillis, entryTtlMillis);
        RaftMetadataClient client = RaftMetadataClient.connect(MetaGroup.parse(group, meta));
        ObjectStore objects = null;
        MountedVolume mounted;
        try {
            VolumeInfo volume = MountedVolume.volumeInfo(client, config);
            objects = ObjectStores.open(store != null ? store : volume.getStoreUri());
            mounted = MountedVolume.mount(client, objects, cacheDir, cacheMib << 20, config, mountPoint,
                    FuseMount.Options.defaults(volume.getVolume()).withTimeouts(attrTtlMillis / 1000.0, entryTtlMillis / 1000.0));
        } catch (Exception e) {
            if (objects != null) {
                objects.close();
            }
            client.close();
            throw e;
        }
        ObjectStore opened = objects;
        CountDownLatch stopped = new CountDownLatch(1);
        io.mirrorfs.client.fuse.FuseMount.exitOnSignals();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                mounted.close();
                opened.close();
                client.close();
                System.err.println("mirrorfs: unmounted " + mountPoint);
            } catch (Exception e) {
                System.err.println("mirrorfs: unmount failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "mirrorfs-unmount"));
        System.out.println("mirrorfs: mounted at " + mounted.mountPoint());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
