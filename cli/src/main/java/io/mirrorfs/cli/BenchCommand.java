package io.mirrorfs.cli;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.cli.bench.MetaBenchmark;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchCommand.Meta.class})
final class BenchCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("usage: mirrorfs bench meta --meta ID=HOST:PORT,... --clients N --seconds S");
        return 2;
    }

    @Command(name = "meta", mixinStandardHelpOptions = true,
            description = "Drive a running, formatted metadata group: create, lookup, getattr, readdir, rename, unlink.")
    static final class Meta implements Callable<Integer> {
        @Option(names = "--meta", required = true, description = "The group's peers: ID=HOST:PORT,...")
        String meta;

        @Option(names = "--group", defaultValue = MetaGroup.DEFAULT_NAME, description = "Group name (default ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
        int clients;

        @Option(names = "--seconds", defaultValue = "10", description = "Seconds per operation phase (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--raft-clients", defaultValue = "0",
                description = "Ratis clients to share among the clients (0 = one per client: Ratis orders the writes of one client, so sharing serialises them).")
        int raftClients;

        @Option(names = "--read-batch", defaultValue = "" + MetadataClientOptions.READ_BATCH_QUERIES_DEFAULT,
                description = "Reads coalesced into one Ratis request at most (1 = no batching; default ${DEFAULT-VALUE}).")
        int readBatch;

        @Option(names = "--warmup-seconds", defaultValue = "5",
                description = "Untimed creates before the measured phases, so JIT compilation is not measured (default ${DEFAULT-VALUE}).")
        int warmupSeconds;

        @Option(names = "--phases", defaultValue = "create,lookup,getattr,readdir,rename,unlink", split = ",",
                description = "Phases to run, in this order (default ${DEFAULT-VALUE}).")
        java.util.List<String> phases;

        @Override
        public Integer call() throws Exception {
            if (clients < 1 || seconds < 1 || warmupSeconds < 0 || readBatch < 1) {
                System.err.println("mirrorfs bench meta: --clients and --seconds must be >= 1");
                return 2;
            }
            int connections = raftClients > 0 ? raftClients : Math.min(64, clients);
            MetadataClientOptions options = MetadataClientOptions.defaults().withRaftClients(connections)
                    .withReadBatching(readBatch, MetadataClientOptions.READ_BATCHES_IN_FLIGHT_DEFAULT);
            try (RaftMetadataClient client = RaftMetadataClient.connect(MetaGroup.parse(group, meta), options)) {
                new MetaBenchmark(client, clients, Duration.ofSeconds(seconds), System.out)
                        .run(Duration.ofSeconds(warmupSeconds), phases);
            }
            return 0;
        }
    }
}
