package io.mirrorfs.cli;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mirrorfs meta start}: one metadata node in the foreground. */
@Command(name = "meta", mixinStandardHelpOptions = true, description = "Run a metadata node.",
        subcommands = {MetaCommand.Start.class})
final class MetaCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("usage: mirrorfs meta start --id ID --peers ID=HOST:PORT,... --data DIR");
        return 2;
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start a metadata node and run until SIGINT/SIGTERM.",
                "PORT in --peers is the node's Raft port; its admin gRPC service listens on PORT+1."})
    static final class Start implements Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger(Start.class);

        @Option(names = "--id", required = true, description = "This node's id (one of --peers).")
        String id;

        @Option(names = "--peers", required = true, description = "All voters: ID=HOST:PORT,...")
        String peers;

        @Option(names = "--data", required = true, description = "This node's data directory.")
        Path data;

        @Option(names = "--group", defaultValue = MetaGroup.DEFAULT_NAME, description = "Group name (default ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--snapshot-threshold", defaultValue = "100000",
                description = "Snapshot after this many applied entries (default ${DEFAULT-VALUE}).")
        long snapshotThreshold;

        @Override
        public Integer call() throws IOException, InterruptedException {
            MetaServerConfig config = new MetaServerConfig(id, MetaGroup.parse(group, peers), data)
                    .withSnapshotThreshold(snapshotThreshold);
            MetaServer server = MetaServer.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("signal received: stopping metadata node {}", id);
                try {
                    server.close();
                } catch (IOException e) {
                    LOG.error("error while stopping metadata node {}", id, e);
                } finally {
                    stopped.countDown();
                }
            }, "meta-shutdown"));
            LOG.info("metadata node {} running (group {}, raft {}, admin {}); Ctrl-C to stop",
                    id, group, config.self().raftAddress(), config.self().adminAddress());
            stopped.await();
            return 0;
        }
    }
}
