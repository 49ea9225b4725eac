package io.mirrorfs.cli;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.cli.bench.MetaBenchmark;
import io.mirrorfs.cli.bench.MirrorBenchConfig;
import io.mirrorfs.cli.bench.MirrorBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchCommand.Meta.class, BenchCommand.Mirror.class})
final class BenchCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("usage: mirrorfs bench meta --meta ID=HOST:PORT,... --clients N --seconds S");
        System.err.println("       mirrorfs bench mirror [--seconds S] [--delay-ms MS] [--writers N] [--block-mib M]"
                + " [--bandwidth-mib B] [--write-mib W] [--meta-ops OPS] [--readers R] [--warmup-seconds W] [--data DIR]");
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

        @Option(names = "--write-batch", defaultValue = "" + MetadataClientOptions.WRITE_BATCH_MUTATIONS_DEFAULT,
                description = "Mutations coalesced into one log entry at most (group commit; 1 = off; default ${DEFAULT-VALUE}).")
        int writeBatch;

        @Option(names = "--writes-in-flight", defaultValue = "" + MetadataClientOptions.WRITE_BATCHES_IN_FLIGHT_DEFAULT,
                description = "Write requests outstanding before further mutations wait to be coalesced (default ${DEFAULT-VALUE}).")
        int writesInFlight;

        @Option(names = "--warmup-seconds", defaultValue = "5",
                description = "Untimed creates before the measured phases, so JIT compilation is not measured (default ${DEFAULT-VALUE}).")
        int warmupSeconds;

        @Option(names = "--phases", defaultValue = "create,lookup,getattr,readdir,rename,unlink", split = ",",
                description = "Phases to run, in this order (default ${DEFAULT-VALUE}).")
        java.util.List<String> phases;

        @Override
        public Integer call() throws Exception {
            if (clients < 1 || seconds < 1 || warmupSeconds < 0 || readBatch < 1 || writeBatch < 1 || writesInFlight < 1) {
                System.err.println("mirrorfs bench meta: --clients, --seconds, --read-batch, --write-batch and"
                        + " --writes-in-flight must be >= 1");
                return 2;
            }
            int connections = raftClients > 0 ? raftClients : Math.min(64, clients);
            MetadataClientOptions options = MetadataClientOptions.defaults().withRaftClients(connections)
                    .withReadBatching(readBatch, MetadataClientOptions.READ_BATCHES_IN_FLIGHT_DEFAULT)
                    .withWriteBatching(writeBatch, writesInFlight);
            try (RaftMetadataClient client = RaftMetadataClient.connect(MetaGroup.parse(group, meta), options)) {
                new MetaBenchmark(client, clients, Duration.ofSeconds(seconds), System.out)
                        .run(Duration.ofSeconds(warmupSeconds), phases);
            }
            return 0;
        }
    }

    @Command(name = "mirror", mixinStandardHelpOptions = true,
            description = {"Issue #5's targets: a primary and a mirror region in this process (temporary folder, deleted"
                    + " at the end) with an injected delay between them, a paced write load on the primary, and:"
                    + " metadata lag, data watermark lag, and linearizable mirror reads with the primary round trips"
                    + " they cost. Progress every 5 s, a summary at the end."})
    static final class Mirror implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "30", description = "How long the load runs (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--delay-ms", defaultValue = "50",
                description = "One-way delay between the regions, in ms (default ${DEFAULT-VALUE}).")
        int delayMillis;

        @Option(names = "--writers", defaultValue = "4", description = "Writers on the primary (default ${DEFAULT-VALUE}).")
        int writers;

        @Option(names = "--block-mib", defaultValue = "4",
                description = "Block size in MiB; each data write is one full block (default ${DEFAULT-VALUE}, the maximum).")
        int blockMib;

        @Option(names = "--bandwidth-mib", defaultValue = "32",
                description = "The sync service's copy bandwidth, MiB/s; 0 = unlimited (default ${DEFAULT-VALUE}).")
        int bandwidthMib;

        @Option(names = "--write-mib", defaultValue = "-1",
                description = "Block data the writers put on the primary, MiB/s in total; 0 = as fast as they can"
                        + " (default: half of --bandwidth-mib, or 8 if that is unlimited).")
        int writeMib;

        @Option(names = "--meta-ops", defaultValue = "100",
                description = "Small metadata ops (create/unlink of empty files) per second in total; 0 = closed loop"
                        + " (default ${DEFAULT-VALUE}).")
        double metaOps;

        @Option(names = "--readers", defaultValue = "8",
                description = "Concurrent linearizable getattr readers on the mirror; 0 = none (default ${DEFAULT-VALUE}).")
        int readers;

        @Option(names = "--warmup-seconds", defaultValue = "5",
                description = "Load before the measurement starts, not reported (default ${DEFAULT-VALUE}).")
        int warmupSeconds;

        @Option(names = "--data", description = "Existing directory to create the temporary folder in (default: the"
                + " system's temporary directory).")
        Path data;

        @Override
        public Integer call() throws Exception {
            MirrorBenchmark bench;
            Path parent = data != null ? data : Path.of(System.getProperty("java.io.tmpdir"));
            try {
                int write = writeMib >= 0 ? writeMib : bandwidthMib == 0 ? 8 : Math.max(1, bandwidthMib / 2);
                bench = new MirrorBenchmark(
                        MirrorBenchConfig.of(seconds, delayMillis, writers, blockMib, bandwidthMib, write, readers,
                                warmupSeconds),
                        metaOps, System.out);
            } catch (IllegalArgumentException e) {
                System.err.println("mirrorfs bench mirror: " + e.getMessage());
                return 2;
            }
            if (!Files.isDirectory(parent)) {
                System.err.println("mirrorfs bench mirror: --data must be an existing directory: " + parent);
                return 2;
            }
            bench.run(parent);
            return 0;
        }
    }
}
