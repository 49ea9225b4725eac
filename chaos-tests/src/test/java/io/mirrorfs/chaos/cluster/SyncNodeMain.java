package io.mirrorfs.chaos.cluster;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.local.LocalDirectoryStore;
import io.mirrorfs.sync.SyncDaemon;
import io.mirrorfs.sync.SyncDaemonConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mirror's sync service in its chaos container: the real {@link SyncDaemon} (what
 * {@code mirrorfs sync start} runs) with both its stores wrapped in cloud-adapters'
 * {@code FaultInjectingStore}, whose settings it polls from the fault file the nemesis writes
 * ({@link StoreFaultControl}). Short timings and poison delays, so a healed run converges in seconds.
 * {@code --broken-late-writes} runs the deliberately broken variant ({@link LateWriteStore}).
 * {@code --source-store URI} copies from that store instead of the volume's recorded one (the sync of
 * a region that becomes a mirror after a switchover copies from the new primary's store);
 * {@code --role-poll-ms} is how often an idle primary's sync asks whether it is a mirror now.
 * Prints {@code READY ID} ({@code --id}, default {@code sync}) once started; runs until killed.
 * <pre>
 * SyncNodeMain --region R --group G --peers ID=HOST:PORT,... --target DIR|URI --fault-file FILE --seed N
 *     [--broken-late-writes true] [--id ID] [--source-store URI] [--role-poll-ms MILLIS]
 * </pre>
 */
public final class SyncNodeMain {
    static final String MAIN = SyncNodeMain.class.getName();

    private SyncNodeMain() {}

    /** The container command for {@link io.mirrorfs.chaos.harness.TwoRegionCluster.SyncProgram}. */
    public static List<String> command(MetaGroup mirrorGroup, Path mirrorStore, Path faultFile, long seed, boolean broken) {
        return command(mirrorGroup, mirrorStore.toString(), faultFile, seed, broken);
    }

    /** As above, the target a store URI ({@code s3://...}) or a folder. */
    static List<String> command(MetaGroup mirrorGroup, String mirrorStore, Path faultFile, long seed, boolean broken) {
        List<String> args = new ArrayList<>(List.of(MAIN, "--region", io.mirrorfs.chaos.harness.TwoRegionCluster.MIRROR_REGION,
                "--group", mirrorGroup.name(), "--peers", String.join(",", mirrorGroup.peers().stream()
                        .map(Object::toString).toList()),
                "--target", mirrorStore, "--fault-file", faultFile.toString(), "--seed", Long.toString(seed)));
        if (broken) {
            args.addAll(List.of("--broken-late-writes", "true"));
        }
        return args;
    }

    /**
     * The sync service of the region that is primary at the start: idle while it is the primary
     * (asking every {@code rolePollMillis}), then copying from {@code sourceStoreUri} into its own store.
     */
    static List<String> commandForPrimaryRegion(String id, MetaGroup group, Path ownStore, String sourceStoreUri,
                                                Path faultFile, long seed, long rolePollMillis) {
        return List.of(MAIN, "--region", group.name(), "--group", group.name(), "--peers",
                String.join(",", group.peers().stream().map(Object::toString).toList()),
                "--target", ownStore.toString(), "--fault-file", faultFile.toString(), "--seed", Long.toString(seed),
                "--id", id, "--source-store", sourceStoreUri, "--role-poll-ms", Long.toString(rolePollMillis));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        for (String required : List.of("--region", "--group", "--peers", "--target", "--fault-file", "--seed")) {
            if (!options.containsKey(required) || args.length % 2 != 0) {
                System.err.println("usage: SyncNodeMain --region R --group G --peers PEERS --target DIR --fault-file FILE"
                        + " --seed N [--broken-late-writes true] [--id ID] [--source-store URI] [--role-poll-ms MILLIS];"
                        + " missing " + required);
                System.exit(2);
            }
        }
        long seed = Long.parseLong(options.get("--seed"));
        SyncDaemonConfig config = SyncDaemonConfig.defaults(options.get("--region"),
                        MetaGroup.parse(options.get("--group"), options.get("--peers")))
                .withTimings(Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(2),
                        Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofSeconds(1))
                .withCopy(SyncDaemonConfig.Copy.defaults().withParallelism(4).withRetries(5, Duration.ofMillis(100),
                        Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(2)));
        if (options.containsKey("--source-store")) {
            config = config.withSourceStore(options.get("--source-store"));
        }
        if (options.containsKey("--role-poll-ms")) {
            config = config.withRolePoll(Duration.ofMillis(Long.parseLong(options.get("--role-poll-ms"))));
        }
        StoreFaultControl faults = new StoreFaultControl(Path.of(options.get("--fault-file")));
        String targetText = options.get("--target");
        // A folder, or a store URI (an s3:// bucket on the run's object store server; credentials from the environment).
        ObjectStore target = faults.wrap(targetText.contains("://") ? ObjectStores.open(targetText)
                : new LocalDirectoryStore(Path.of(targetText)), seed);
        if (Boolean.parseBoolean(options.getOrDefault("--broken-late-writes", "false"))) {
            target = new LateWriteStore(target);
        }
        faults.start();
        try (ObjectStore closingTarget = target;
             SyncDaemon daemon = SyncDaemon.start(config, closingTarget, uri -> faults.wrap(ObjectStores.open(uri), seed + 1))) {
            System.out.println("READY " + options.getOrDefault("--id", "sync"));
            System.out.flush();
            daemon.awaitStopped(Duration.ofDays(1));
            System.err.println("sync stopped: " + daemon.status().getLastError());
        }
    }
}
