package io.mirrorfs.cli;

import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.cli.failover.drill.CommandFaults;
import io.mirrorfs.cli.failover.drill.Drill;
import io.mirrorfs.cli.failover.drill.DrillReport;
import io.mirrorfs.cli.failover.drill.Faults;
import io.mirrorfs.cli.failover.drill.LocalDeployment;
import io.mirrorfs.cli.failover.drill.LocalFaults;
import io.mirrorfs.cli.failover.drill.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mirrorfs drill}: one command that proves a failover loses nothing it promised (DESIGN §5). */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Failover drill: write golden files with checksums, wait for replication, inject the fault,",
            "promote, verify every acknowledged file, measure RTO and RPO, rejoin the old primary, write a report.",
            "Default: a fresh two-region loopback deployment of child processes under --data (real kill -9 / SIGSTOP).",
            "With --topology: a running deployment; kill-primary and partition-primary run --fault-command",
            "(environment: MIRRORFS_DRILL_SCENARIO, MIRRORFS_PRIMARY_REGION, MIRRORFS_TOPOLOGY) and, to rejoin,",
            "--heal-command."})
final class DrillCommand implements Callable<Integer> {

    @Option(names = "--scenario", required = true, description = "kill-primary | partition-primary | switchover")
    String scenario;

    @Option(names = "--data", description = "Folder for the drill's own deployment (must not hold one; default ./mirrorfs-drill-TIME).")
    Path data;

    @Option(names = "--topology", description = "Run against this running deployment instead of starting one.")
    Path topology;

    @Mixin
    TlsOption tls = new TlsOption();

    @Option(names = "--fault-command", description = "With --topology: the shell command that injects the fault.")
    String faultCommand;

    @Option(names = "--heal-command", description = "With --topology: the shell command that brings the old primary back.")
    String healCommand;

    @Option(names = "--to", description = "The mirror region to promote (default: the first mirror).")
    String to;

    @Option(names = "--report", description = "The JSON report (a .txt summary is written beside it; default DIR/drill-report.json).")
    Path report;

    @Option(names = "--files", defaultValue = "20", description = "Golden files replicated before the fault (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--in-flight-files", defaultValue = "5",
            description = "Files written right before the fault, not awaited for replication (default ${DEFAULT-VALUE}).")
    int inFlightFiles;

    @Option(names = "--file-size-max-bytes", defaultValue = "262144", description = "Largest golden file (default ${DEFAULT-VALUE}).")
    int fileBytesMax;

    @Option(names = "--seed", description = "Random seed of the dataset (default: time); printed in the report.")
    Long seed;

    @Option(names = "--hold-mirror", description = "Own deployment only: pause the mirror while the in-flight files are "
            + "written, so they are certainly lost and the RPO accounting is checked against a known loss.")
    boolean holdMirror;

    @Option(names = "--nodes", defaultValue = "1", description = "Own deployment: metadata nodes per region (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replication-seconds", defaultValue = "120",
            description = "How long replication and catch-up may take (default ${DEFAULT-VALUE}).")
    long replicationSeconds;

    @Override
    public Integer call() throws Exception {
        Scenario s = Scenario.parse(scenario);
        if (topology == null && tls.given()) {
            throw new IllegalArgumentException("--tls-dir is for --topology (a running deployment); the drill's own"
                    + " local deployment runs plaintext");
        }
        tls.apply(java.util.Optional.empty()); // plaintext unless --tls-dir; the topology's section is read below
        if (topology != null && data != null) {
            throw new IllegalArgumentException("give --topology (a running deployment) or --data (the drill's own), not both");
        }
        if (topology != null && s != Scenario.SWITCHOVER && (faultCommand == null || faultCommand.isBlank())) {
            throw new IllegalArgumentException("with --topology, " + s.cliName() + " needs --fault-command to inject the fault");
        }
        if (replicationSeconds < 1 || replicationSeconds > 3600) {
            throw new IllegalArgumentException("--replication-seconds must be 1..3600");
        }
        long actualSeed = seed != null ? seed : System.nanoTime();
        if (topology != null) {
            Path dir = report != null ? report.toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
            Faults faults = new CommandFaults(faultCommand, healCommand, topology.toString());
            return run(tls.applied(Topology.load(topology)), faults, dir, actualSeed);
        }
        Path dir = data != null ? data : Path.of("mirrorfs-drill-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try (LocalDeployment local = LocalDeployment.create(dir, nodes)) {
            System.out.println("drill: starting a two-region deployment under " + dir.toAbsolutePath()
                    + " (logs in " + dir.toAbsolutePath().resolve("logs") + ")");
            local.startAll();
            io.mirrorfs.cli.failover.drill.DrillSetup.formatPrimary(local.topology(), Duration.ofSeconds(replicationSeconds));
            return run(local.topology(), new LocalFaults(local), dir.toAbsolutePath(), actualSeed);
        }
    }

    private int run(Topology t, Faults faults, Path dir, long actualSeed) throws Exception {
        Drill.Options options = new Drill.Options(Scenario.parse(scenario), to, files, inFlightFiles, fileBytesMax,
                actualSeed, holdMirror, true, dir, Duration.ofSeconds(replicationSeconds));
        DrillReport r = new Drill(t, faults, options, System.out).run();
        Path file = report != null ? report : dir.resolve("drill-report.json");
        r.write(file);
        System.out.println();
        System.out.print(r.toText());
        System.out.println("report: " + file.toAbsolutePath());
        return r.passed() ? 0 : MirrorfsCli.EXIT_FAILED;
    }
}
