package io.mirrorfs.meta.server;

import io.mirrorfs.api.client.CommonPoolFloor;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.api.net.TlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metadata node as a plain process, for tests that need real processes (kill -9) and for running
 * without the CLI:
 * <pre>
 * java -cp ... io.mirrorfs.meta.server.MetaServerMain --id n1 --peers n1=127.0.0.1:9860,... --data DIR
 *     [--group NAME] [--snapshot-threshold ENTRIES] [--ratis KEY=VALUE]...
 *     [--region NAME --mirror-of ID=HOST:PORT,... [--primary-group NAME] --volume VOL]
 *     [--changelog-mirrors REGION,...] [--changelog-trim-interval-ms MILLIS] [--tls-dir DIR]
 * </pre>
 * {@code --tls-dir DIR}: mutual TLS on every channel with DIR/ca.pem, DIR/node.pem, DIR/node.key.
 * A mirror node ({@code --mirror-of}, the primary region's peers) needs its own region name and the
 * primary's volume; its group must have its own name (--group).
 * Prints {@code READY <id>} on stdout once serving; stops cleanly on SIGTERM/SIGINT.
 */
public final class MetaServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(MetaServerMain.class);

    private MetaServerMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        CommonPoolFloor.ensure();
        Map<String, String> options = new HashMap<>();
        Map<String, String> ratis = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--ratis")) {
                String[] kv = args[i + 1].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--ratis wants KEY=VALUE, got " + args[i + 1]);
                }
                ratis.put(kv[0], kv[1]);
            } else {
                options.put(args[i], args[i + 1]);
            }
        }
        if (args.length % 2 != 0 || !options.containsKey("--id") || !options.containsKey("--peers")
                || !options.containsKey("--data")) {
            System.err.println("usage: MetaServerMain --id ID --peers ID=HOST:PORT,... --data DIR"
                    + " [--group NAME] [--snapshot-threshold N] [--ratis KEY=VALUE]..."
                    + " [--region NAME --mirror-of ID=HOST:PORT,... [--primary-group NAME] --volume VOL]"
                    + " [--changelog-mirrors REGION,...] [--changelog-trim-interval-ms MILLIS] [--tls-dir DIR]");
            System.exit(2);
        }
        MetaGroup group = MetaGroup.parse(options.getOrDefault("--group", MetaGroup.DEFAULT_NAME), options.get("--peers"));
        MetaServerConfig config = new MetaServerConfig(options.get("--id"), group, Path.of(options.get("--data")));
        if (options.containsKey("--snapshot-threshold")) {
            config = config.withSnapshotThreshold(Long.parseLong(options.get("--snapshot-threshold")));
        }
        config = config.withRatisOverrides(ratis);
        if (options.containsKey("--mirror-of")) {
            config = config.withMirrorOf(mirrorSource(options));
        }
        if (options.containsKey("--changelog-mirrors")) {
            config = config.withChangelogMirrors(Set.of(options.get("--changelog-mirrors").split(",")));
        }
        if (options.containsKey("--changelog-trim-interval-ms")) {
            config = config.withChangelogTrimInterval(
                    Duration.ofMillis(Long.parseLong(options.get("--changelog-trim-interval-ms"))));
        }
        if (options.containsKey("--tls-dir")) {
            config = config.withSecurity(ChannelSecurity.mutualTls(TlsFiles.fromDir(Path.of(options.get("--tls-dir")))));
        }
        runUntilSignalled(config);
    }

    /** The mirror options; a missing one is a usage error naming it. */
    static MirrorSource mirrorSource(Map<String, String> options) {
        for (String required : new String[] {"--region", "--volume"}) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException("--mirror-of needs " + required
                        + " (the mirror's region name and the primary's volume)");
            }
        }
        MetaGroup primary = MetaGroup.parse(options.getOrDefault("--primary-group", MetaGroup.DEFAULT_NAME),
                options.get("--mirror-of"));
        return new MirrorSource(options.get("--region"), options.get("--volume"), primary);
    }

    /** Starts the node, prints READY, and blocks until the JVM is asked to stop. */
    static void runUntilSignalled(MetaServerConfig config) throws IOException, InterruptedException {
        MetaServer server = MetaServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                LOG.error("error while stopping {}", config.nodeId(), e);
            } finally {
                stopped.countDown();
            }
        }, "metadata-node-shutdown"));
        System.out.println("READY " + config.nodeId());
        System.out.flush();
        stopped.await();
    }
}
