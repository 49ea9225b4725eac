package io.mirrorfs.chaos.nemesis;

import io.mirrorfs.chaos.harness.ContainerCluster;
import io.mirrorfs.chaos.harness.Docker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a random schedule of faults from a seed: quiet period, one fault injected, held, healed, and
 * again, until stopped. One fault at a time, so each heal undoes exactly one thing and the timeline
 * reads simply. The seed fixes the choices (which fault, which shape, how long); where a fault targets
 * "the leader", who that is depends on the run.
 */
public final class Nemesis implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Nemesis.class);

    /** The fault kinds a schedule can draw from. */
    public enum Kind { KILL, PAUSE, PARTITION, LATENCY }

    private final Random random;
    private final List<Fault> faults = new ArrayList<>();
    private final List<Fault> deck = new ArrayList<>();
    private final NemesisTimeline timeline;
    private final Duration quietMax;
    private final Duration faultMax;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Throwable failure;

    public Nemesis(ContainerCluster cluster, long seed, Set<Kind> kinds, NemesisTimeline timeline,
                   Duration quietMax, Duration faultMax) {
        this(cluster, seed, kinds, timeline, quietMax, faultMax, List.of());
    }

    /**
     * As above, with more faults in the deck besides {@code kinds} against {@code cluster} — e.g. the
     * mirror-region faults of {@link MirrorFaults}; {@code kinds} may then be empty.
     */
    public Nemesis(ContainerCluster cluster, long seed, Set<Kind> kinds, NemesisTimeline timeline,
                   Duration quietMax, Duration faultMax, List<Fault> extraFaults) {
        this.random = new Random(seed);
        this.timeline = timeline;
        this.quietMax = quietMax;
        this.faultMax = faultMax;
        for (Kind k : Kind.values()) {
            if (!kinds.contains(k)) {
                continue;
            }
            switch (k) {
                case KILL -> faults.add(new KillFault(cluster));
                case PAUSE -> faults.add(new PauseFault(cluster));
                case PARTITION -> addIfToolExists("iptables", new PartitionFault(cluster));
                case LATENCY -> addIfToolExists("ss", new LatencyFault(cluster)); // and iptables: REDIRECT to a delay proxy
            }
        }
        faults.addAll(extraFaults);
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("no usable fault among " + kinds);
        }
    }

    /** A fault whose host tools are missing is not silently left out: the run fails at its start. */
    private void addIfToolExists(String tool, Fault fault) {
        for (String needed : List.of(tool, "iptables", "nsenter")) {
            if (!Docker.commandExists(needed)) {
                timeline.record("note", fault.name(), "cannot run: " + needed + " missing on the host");
                throw new IllegalStateException("fault " + fault.name() + " cannot run: " + needed + " missing on the host");
            }
        }
        faults.add(fault);
    }

    @Override
    public void run() {
        try {
            while (!waitStopped(quietMillis())) {
                Fault f = nextFromDeck();
                long holdMillis = 1_000 + (long) random.nextInt((int) Math.max(1, faultMax.toMillis() - 1_000));
                String detail;
                try {
                    detail = f.inject(random);
                } catch (Exception e) {
                    // A fault that cannot be applied is dropped from the schedule so the run goes on with the
                    // others, but the run fails at its end (failure()): a fault must never silently do nothing
                    // (the old tc-netem latency fault did exactly that on a kernel without sch_netem).
                    timeline.record("note", f.name(), "could not inject, dropped from the schedule: " + e.getMessage());
                    LOG.warn("nemesis: {} failed to inject", f.name(), e);
                    if (failure == null) {
                        failure = new IllegalStateException("fault " + f.name() + " could not be injected", e);
                    }
                    f.heal();
                    faults.remove(f);
                    deck.remove(f);
                    if (faults.isEmpty()) {
                        return;
                    }
                    continue;
                }
                timeline.record("inject", f.name(), detail);
                LOG.info("nemesis: {} {}", f.name(), detail);
                waitStopped(holdMillis);
                f.heal();
                timeline.record("heal", f.name(), detail);
            }
        } catch (Throwable t) {
            failure = t;
            timeline.record("note", "nemesis", "failed: " + t);
            LOG.error("nemesis failed", t);
        }
    }

    /**
     * Faults are drawn like cards: every kind once per round, in a seeded order, so even a short run
     * exercises each kind instead of drawing the same one repeatedly.
     */
    private Fault nextFromDeck() {
        if (deck.isEmpty()) {
            deck.addAll(faults);
            java.util.Collections.shuffle(deck, random);
        }
        return deck.remove(deck.size() - 1);
    }

    private long quietMillis() {
        return 500 + random.nextInt((int) Math.max(1, quietMax.toMillis()));
    }

    /** Waits up to {@code millis}; true if asked to stop. */
    private boolean waitStopped(long millis) throws InterruptedException {
        return stop.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Asks the schedule to end: the current fault is healed before {@link #run} returns. */
    public void stop() {
        stop.countDown();
    }

    /** Heals whatever may still be injected (after a failure); idempotent. */
    public void healAll() {
        for (Fault f : faults) {
            try {
                f.heal();
            } catch (Exception e) {
                LOG.warn("nemesis: healing {} failed", f.name(), e);
            }
        }
    }

    public Throwable failure() {
        return failure;
    }
}
