package io.mirrorfs.chaos.cluster;

import io.mirrorfs.api.topology.HostPort;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Role;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.chaos.harness.TwoRegionCluster;
import io.mirrorfs.cli.failover.Deployment;
import io.mirrorfs.cli.failover.FailoverException;
import io.mirrorfs.cli.failover.Switchover;
import io.mirrorfs.cli.failover.Timeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The operator's planned switchover of a {@link TwoRegionCluster}, through the cli's own classes as
 * {@code mirrorfs failover switchover --to REGION --topology FILE} runs them: a topology file naming
 * both regions with their container addresses (written with {@code Topology.toYaml()} and read back
 * with {@code Topology.load}, as the command does), a {@link Deployment} with the command's 3 s call
 * deadline, and {@link Switchover} — or, for the detection run, {@link UnfencedSwitchover}.
 *
 * <p>Region names are the Raft group names ({@code Region.group()} names the group after the region).
 */
final class SwitchoverStep {
    /** As FailoverCommand's probe deadline: one call to a region, bounded. */
    static final Duration CALL_DEADLINE = Duration.ofSeconds(3);
    private static final int SYNC_PORT = 9870;

    /** Prefix of the cli's timeline mark right after its fence was acknowledged (and of the broken variant's). */
    private static final List<String> FENCE_MARKS = List.of("fenced primary '", "BROKEN VARIANT: fence");

    /**
     * What happened, on {@link System#nanoTime()}'s scale: the first fence of any attempt
     * ({@link Long#MAX_VALUE} if none was acknowledged) and the first write accepted by the new primary;
     * {@code result} is null and {@code failure} set when the last attempt failed.
     */
    record Outcome(Switchover.Result result, Exception failure, long fenceNanos, long writesAcceptedNanos, int attempts,
                   String timeline) {
        boolean completed() {
            return result != null;
        }

        /** Fence → the new primary accepted a write, across attempts (the cli's own RTO counts from its last run). */
        long rtoMillis() {
            return TimeUnit.NANOSECONDS.toMillis(writesAcceptedNanos - fenceNanos);
        }
    }

    private final Topology topology;

    private SwitchoverStep(Topology topology) {
        this.topology = topology;
    }

    /** Writes {@code runDir/topology.yaml} for the cluster and loads it back. */
    static SwitchoverStep forCluster(TwoRegionCluster regions, String volume, String primaryStoreUri, String mirrorStoreUri,
                                     String primarySyncHost, Path runDir) throws Exception {
        Region primary = new Region(regions.primary().group().name(), Role.PRIMARY, primaryStoreUri,
                regions.primary().group().peers(), Optional.of(new HostPort(primarySyncHost, SYNC_PORT)));
        Region mirror = new Region(regions.mirror().group().name(), Role.MIRROR, mirrorStoreUri,
                regions.mirror().group().peers(), Optional.of(new HostPort(regions.sync().ip(), SYNC_PORT)));
        Path file = runDir.resolve("topology.yaml");
        Files.writeString(file, "# FailoverChaosTest: both regions' containers\n"
                + new Topology(volume, List.of(primary, mirror)).toYaml());
        return new SwitchoverStep(Topology.load(file));
    }

    /**
     * Runs the switchover to {@code target}, rerunning it up to {@code attemptsMax} times in all when it
     * fails, as the runbook says an operator does ("rerunning resumes": an already fenced primary is not
     * fenced again). Each attempt is a fresh {@link Deployment}, like a new command. {@code unfenced} runs
     * the broken variant. A failed switchover is an outcome (the checks still run), not an exception.
     */
    Outcome run(String target, Duration catchUpMax, boolean unfenced, int attemptsMax) throws InterruptedException {
        long startNanos = System.nanoTime();
        // Milliseconds on the nanoTime scale, so timeline marks map onto the history's clock.
        Timeline timeline = new Timeline(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), System.out);
        for (int attempt = 1; ; attempt++) {
            try (Deployment deployment = new Deployment(topology, CALL_DEADLINE)) {
                Switchover.Result r = unfenced
                        ? new UnfencedSwitchover(deployment, catchUpMax).run(target, timeline)
                        : new Switchover(deployment, catchUpMax).run(target, timeline);
                return new Outcome(r, null, firstFenceNanos(timeline, startNanos),
                        startNanos + TimeUnit.MILLISECONDS.toNanos(r.writesAcceptedAtMillis() + 1), attempt, timeline.render());
            } catch (FailoverException e) {
                timeline.mark("attempt " + attempt + " failed: " + e.getMessage());
                if (attempt >= attemptsMax) {
                    return new Outcome(null, e, firstFenceNanos(timeline, startNanos), Long.MAX_VALUE, attempt,
                            timeline.render());
                }
            }
        }
    }

    /** A mark is taken after the step it names returned; +1 ms covers the truncation to ms. */
    private static long firstFenceNanos(Timeline timeline, long startNanos) {
        return timeline.events().stream().filter(e -> FENCE_MARKS.stream().anyMatch(e.what()::startsWith))
                .mapToLong(Timeline.Event::atMillis).min()
                .stream().map(ms -> startNanos + TimeUnit.MILLISECONDS.toNanos(ms + 1)).findFirst().orElse(Long.MAX_VALUE);
    }

    /** The cli's own JSON of a completed switchover (what {@code --report FILE} writes), else the timeline. */
    static void writeReport(Path runDir, Outcome o) throws IOException {
        if (o.completed()) {
            Files.writeString(runDir.resolve("switchover.json"), o.result().toJson().toString() + "\n");
        }
        Files.writeString(runDir.resolve("switchover-timeline.txt"), o.timeline());
    }
}
