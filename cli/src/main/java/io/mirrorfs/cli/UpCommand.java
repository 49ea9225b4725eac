package io.mirrorfs.cli;

import io.mirrorfs.cli.up.EmbeddedDeployment;
import io.mirrorfs.client.mirror.ConsistencyMode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start an embedded primary and mirror region on local directories and mount both",
            "(MOUNT/primary, MOUNT/mirror); Ctrl-C unmounts and stops. Running it again resumes the same data."})
final class UpCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "./mirrorfs-data", description = "data folder (metadata, blocks, cache); default ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--mount", defaultValue = "./mnt",
            description = "mount folder: the primary at MOUNT/primary, the mirror at MOUNT/mirror; default ${DEFAULT-VALUE}")
    Path mount;

    @Option(names = "--mirror-consistency", defaultValue = "session", paramLabel = "MODE",
            description = "reads on the mirror mount: linearizable | session | bounded:<duration, e.g. 500ms>; default ${DEFAULT-VALUE}")
    String mirrorConsistency;

    @Option(names = "--cache-size-mib", defaultValue = "1024", description = "local block cache size; default ${DEFAULT-VALUE}")
    long cacheMib;

    @Override
    public Integer call() throws Exception {
        ConsistencyMode mode;
        try {
            mode = ConsistencyMode.parse(mirrorConsistency);
        } catch (IllegalArgumentException e) {
            System.err.println("mirrorfs up: --mirror-consistency: " + e.getMessage());
            return 2;
        }
        EmbeddedDeployment regions = EmbeddedDeployment.start(data, mount, mode, cacheMib << 20);
        CountDownLatch stopped = new CountDownLatch(1);
        io.mirrorfs.client.fuse.FuseMount.exitOnSignals();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("mirrorfs: unmounting and stopping ...");
            try {
                regions.close();
                System.err.println("mirrorfs: stopped cleanly");
            } catch (Exception e) {
                System.err.println("mirrorfs: stop failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "mirrorfs-shutdown"));
        System.out.println(regions.describe(data));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
