package io.mirrorfs.cli.failover;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What happened when, in milliseconds since the timeline started. Events are also echoed to a
 * progress stream as they happen, so an operator watching a failover sees each step live.
 */
public final class Timeline {
    /** Bounded: a drill records tens of events; progress lines beyond this are not kept. */
    private static final int EVENTS_MAX = 10_000;

    public record Event(long atMillis, String what) {}

    private final LongSupplier clockMillis;
    private final long startMillis;
    private final PrintStream progress;
    private final List<Event> events = new ArrayList<>();

    public Timeline(LongSupplier clockMillis, PrintStream progress) {
        this.clockMillis = clockMillis;
        this.startMillis = clockMillis.getAsLong();
        this.progress = progress;
    }

    public static Timeline systemClock(PrintStream progress) {
        return new Timeline(System::currentTimeMillis, progress);
    }

    /** Records an event; returns its time in ms since the start. */
    public synchronized long mark(String what) {
        long at = clockMillis.getAsLong() - startMillis;
        if (events.size() < EVENTS_MAX) {
            events.add(new Event(at, what));
        }
        if (progress != null) {
            progress.printf("%8d ms  %s%n", at, what);
            progress.flush();
        }
        return at;
    }

    /** A progress line that is printed but not kept (e.g. "catching up: 10 of 20"). */
    public void progress(String what) {
        if (progress != null) {
            progress.printf("%8d ms    %s%n", elapsedMillis(), what);
            progress.flush();
        }
    }

    public long elapsedMillis() {
        return clockMillis.getAsLong() - startMillis;
    }

    public long startEpochMillis() {
        return startMillis;
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized String render() {
        StringBuilder out = new StringBuilder();
        for (Event e : events) {
            out.append(String.format("%8d ms  %s%n", e.atMillis(), e.what()));
        }
        return out.toString();
    }

    public Json.Array toJson() {
        Json.Array array = new Json.Array();
        for (Event e : events()) {
            array.add(new Json.Object().put("atMillis", e.atMillis()).put("event", e.what()));
        }
        return array;
    }
}
