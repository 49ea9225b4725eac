package io.mirrorfs.cli;

import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.cli.failover.Deployment;
import io.mirrorfs.cli.failover.Json;
import io.mirrorfs.cli.failover.Promotion;
import io.mirrorfs.cli.failover.Rejoin;
import io.mirrorfs.cli.failover.Switchover;
import io.mirrorfs.cli.failover.Timeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mirrorfs failover switchover|promote|rejoin} (DESIGN §5). */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Move the primary role between regions: planned switchover, forced promotion, rejoin of an old primary.",
        subcommands = {FailoverCommand.SwitchoverCmd.class, FailoverCommand.PromoteCmd.class, FailoverCommand.RejoinCmd.class})
final class FailoverCommand implements Callable<Integer> {
    /** How long a probe of one region may take before it counts as unreachable. */
    static final Duration PROBE_DEADLINE = Duration.ofSeconds(3);

    @Override
    public Integer call() {
        System.err.println("usage: mirrorfs failover switchover|promote|rejoin (--topology FILE | --data DIR) ...");
        return 2;
    }

    /** Where the deployment is described: a topology file, or the data folder of `mirrorfs up`. */
    static final class Where {
        @Option(names = "--topology", required = true, description = "The deployment's topology file.")
        Path topology;

        @Option(names = "--data", required = true, description = "The data folder of `mirrorfs up` (reads DATA/topology.yaml).")
        Path data;

        Topology load() throws Exception {
            return Topology.load(topology != null ? topology : data.resolve("topology.yaml"));
        }

        /** Where reports go by default: the data folder, or the current folder. */
        Path reportDir() {
            return data != null ? data.toAbsolutePath() : Path.of("").toAbsolutePath();
        }
    }

    static void writeJson(Path file, Json.Object json) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Files.writeString(abs, json.toString() + "\n", StandardCharsets.UTF_8);
    }

    @Command(name = "switchover", mixinStandardHelpOptions = true,
            description = {"Planned failover with RPO 0: fence the primary, wait until REGION has its last index and",
                "data watermark, promote REGION (epoch + 1), make the old primary follow it. Prints the timeline and RTO."})
    static final class SwitchoverCmd implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        @Mixin
        TlsOption tls = new TlsOption();

        @Option(names = "--to", required = true, description = "The mirror region to promote.")
        String to;

        @Option(names = "--catch-up-seconds", defaultValue = "60",
                description = "How long the target may take to catch up after the fence (default ${DEFAULT-VALUE}).")
        long catchUpSeconds;

        @Option(names = "--report", description = "Also write the result as JSON to this file.")
        Path report;

        @Override
        public Integer call() throws Exception {
            if (catchUpSeconds < 1 || catchUpSeconds > 86_400) {
                throw new IllegalArgumentException("--catch-up-seconds must be 1..86400");
            }
            try (Deployment d = new Deployment(tls.applied(where.load()), PROBE_DEADLINE)) {
                Switchover.Result r = new Switchover(d, Duration.ofSeconds(catchUpSeconds))
                        .run(to, Timeline.systemClock(System.out));
                System.out.printf("switchover %s -> %s done: epoch %d, RPO 0 (caught up to index %d), RTO %d ms%n",
                        r.from(), r.to(), r.newEpoch(), r.lastIndex(), r.rtoMillis());
                if (report != null) {
                    writeJson(report, r.toJson());
                }
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = {"Unplanned failover: promote REGION at the primary index it has applied and report the RPO",
                "(entries and blocks not received, paths touched). Refused while the primary is healthy unless --force",
                "(then the primary is fenced first)."})
    static final class PromoteCmd implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        @Mixin
        TlsOption tls = new TlsOption();

        @Option(names = "--region", required = true, description = "The mirror region to promote.")
        String region;

        @Option(names = "--force", description = "Promote even though the primary answers (it is fenced first).")
        boolean force;

        @Option(names = "--report", description = "Where to record the promotion and its RPO as JSON "
                + "(default: promotion-REGION-epochN.json in the data folder or the current folder).")
        Path report;

        @Override
        public Integer call() throws Exception {
            try (Deployment d = new Deployment(tls.applied(where.load()), PROBE_DEADLINE)) {
                Promotion.Result r = new Promotion(d, d.blockSizeBytes()).run(region, force, Timeline.systemClock(System.out));
                System.out.print(r.rpo().toText());
                System.out.printf("promoted %s to primary of epoch %d at index %d; RTO %d ms from the command%n",
                        r.region(), r.newEpoch(), r.promotedAtIndex(), r.rtoMillis());
                Path file = report != null ? report
                        : where.reportDir().resolve("promotion-" + r.region() + "-epoch" + r.newEpoch() + ".json");
                writeJson(file, r.toJson());
                System.out.println("recorded in " + file.toAbsolutePath());
            }
            return 0;
        }
    }

    @Command(name = "rejoin", mixinStandardHelpOptions = true,
            description = {"Bring an old primary back as a mirror of the current primary: it is fenced, its entries",
                "after the promotion point are written to a recovery report (JSON + text), then it follows the new",
                "primary (and bootstraps its namespace if it had divergent entries). Nothing is merged silently."})
    static final class RejoinCmd implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        @Mixin
        TlsOption tls = new TlsOption();

        @Option(names = "--region", required = true, description = "The old primary region.")
        String region;

        @Option(names = "--report-dir", description = "Where to write the recovery report (default: the data folder or the current folder).")
        Path reportDir;

        @Override
        public Integer call() throws Exception {
            try (Deployment d = new Deployment(tls.applied(where.load()), PROBE_DEADLINE)) {
                Rejoin.Result r = new Rejoin(d, d.blockSizeBytes(), reportDir != null ? reportDir : where.reportDir())
                        .run(region, Timeline.systemClock(System.out));
                System.out.print(r.report().toText());
                System.out.println("recovery report: " + r.reportFile().toAbsolutePath());
            }
            return 0;
        }
    }
}
