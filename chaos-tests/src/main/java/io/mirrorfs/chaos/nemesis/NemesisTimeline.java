package io.mirrorfs.chaos.nemesis;

import java.util.ArrayList;
import java.util.List;

/** What the nemesis did and when (nanoTime), for the report and for reading a history against it. */
public final class NemesisTimeline {
    /** One entry: a fault started (inject) or ended (heal), or a note (e.g. a fault that could not run). */
    public record Event(long nanos, String phase, String fault, String detail) {}

    /** A fault's active interval, for shading the latency plot. */
    public record Interval(long startNanos, long endNanos, String fault) {}

    private static final int EVENTS_MAX = 100_000;
    private final List<Event> events = new ArrayList<>();

    public synchronized void record(String phase, String fault, String detail) {
        if (events.size() >= EVENTS_MAX) {
            throw new IllegalStateException("nemesis timeline full");
        }
        events.add(new Event(System.nanoTime(), phase, fault, detail));
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Pairs each "inject" with the next "heal" of the same fault; an unhealed fault ends at {@code endNanos}. */
    public synchronized List<Interval> intervals(long endNanos) {
        List<Interval> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (!e.phase().equals("inject")) {
                continue;
            }
            long end = endNanos;
            for (int j = i + 1; j < events.size(); j++) {
                if (events.get(j).phase().equals("heal") && events.get(j).fault().equals(e.fault())) {
                    end = events.get(j).nanos();
                    break;
                }
            }
            out.add(new Interval(e.nanos(), end, e.fault() + " " + e.detail()));
        }
        return out;
    }
}
