package io.mirrorfs.cli;

import io.mirrorfs.cli.up.EmbeddedRegion;
import io.mirrorfs.client.vfs.VfsConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start an embedded primary region on local directories and mount it; Ctrl-C unmounts and stops.")
final class UpCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "./mirrorfs-data", description = "data folder (metadata, blocks, cache); default ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--mount", defaultValue = "./mnt", description = "mount folder; the primary is mounted at MOUNT/primary; default ${DEFAULT-VALUE}")
    Path mount;

    @Option(names = "--cache-size-mib", defaultValue = "1024", description = "local block cache size; default ${DEFAULT-VALUE}")
    long cacheMib;

    @Override
    public Integer call() throws Exception {
        EmbeddedRegion primary = EmbeddedRegion.start("primary", data, mount.resolve("primary"), VfsConfig.defaults(),
                cacheMib << 20);
        CountDownLatch stopped = new CountDownLatch(1);
        io.mirrorfs.client.fuse.FuseMount.exitOnSignals();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("mirrorfs: unmounting and stopping ...");
            try {
                primary.close();
                System.err.println("mirrorfs: stopped cleanly");
            } catch (Exception e) {
                System.err.println("mirrorfs: stop failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "mirrorfs-shutdown"));
        System.out.println("mirrorfs: primary region mounted at " + primary.mountPoint()
                + " (data in " + data.toAbsolutePath().normalize() + "); Ctrl-C to stop");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
