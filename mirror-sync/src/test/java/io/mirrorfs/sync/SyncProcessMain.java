package io.mirrorfs.sync;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.local.LocalDirectoryStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A sync service in its own JVM, so a test can kill it with -9 (what `mirrorfs sync start` runs, minus
 * the CLI). Args: REGION GROUP PEERS TARGET_DIR BANDWIDTH_BYTES_PER_SECOND. Runs until killed.
 */
public final class SyncProcessMain {
    private SyncProcessMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: SyncProcessMain REGION GROUP PEERS TARGET_DIR BANDWIDTH_BYTES_PER_SECOND");
            System.exit(2);
        }
        SyncDaemonConfig config = SyncDaemonConfig.defaults(args[0], MetaGroup.parse(args[1], args[2]))
                .withTimings(Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofSeconds(1))
                .withCopy(SyncDaemonConfig.Copy.defaults().withParallelism(2).withBandwidth(Long.parseLong(args[4])));
        try (LocalDirectoryStore target = new LocalDirectoryStore(Path.of(args[3]));
                SyncDaemon daemon = SyncDaemon.start(config, target, ObjectStores::open)) {
            System.out.println("SYNC STARTED");
            System.out.flush();
            daemon.awaitStopped(Duration.ofDays(1));
        }
    }
}
