package io.mirrorfs.chaos.report;

import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import java.util.List;
import java.util.Locale;

/**
 * An inline SVG: one dot per operation at (invoke time, latency on a log scale), coloured by outcome,
 * over shaded bands where a fault was active. Bounded: at most {@link #DOTS_MAX} dots (evenly sampled).
 */
final class LatencyPlot {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 360;
    private static final int MARGIN = 50;
    private static final int DOTS_MAX = 20_000;
    private static final double LATENCY_MILLIS_MIN = 0.1;

    private LatencyPlot() {}

    static String svg(List<Operation> history, List<NemesisTimeline.Interval> faults, long originNanos, long endNanos) {
        double spanSeconds = Math.max(1e-3, (endNanos - originNanos) / 1e9);
        double maxMillis = LATENCY_MILLIS_MIN * 10;
        for (Operation op : history) {
            maxMillis = Math.max(maxMillis, op.latencyNanos() / 1e6);
        }
        double logMin = Math.log10(LATENCY_MILLIS_MIN);
        double logMax = Math.log10(maxMillis);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-size='11'>%n",
                WIDTH, HEIGHT));
        int plotW = WIDTH - 2 * MARGIN;
        int plotH = HEIGHT - 2 * MARGIN;
        for (NemesisTimeline.Interval f : faults) {
            double x0 = MARGIN + plotW * ((f.startNanos() - originNanos) / 1e9) / spanSeconds;
            double x1 = MARGIN + plotW * ((f.endNanos() - originNanos) / 1e9) / spanSeconds;
            b.append(String.format(Locale.ROOT,
                    "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#f4d03f' opacity='0.3'><title>%s</title></rect>%n",
                    x0, MARGIN, Math.max(1, x1 - x0), plotH, Html.escape(f.fault())));
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' fill='#7d6608'>%s</text>%n",
                    x0 + 2, MARGIN - 4, Html.escape(f.fault().split(" ")[0])));
        }
        b.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>%n",
                MARGIN, MARGIN, plotW, plotH));
        for (int decade = (int) Math.ceil(logMin); decade <= (int) Math.floor(logMax); decade++) {
            double y = MARGIN + plotH * (1 - (decade - logMin) / (logMax - logMin));
            b.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>"
                    + "<text x='4' y='%.1f'>%s ms</text>%n", MARGIN, MARGIN + plotW, y, y, y + 4,
                    decade >= 0 ? String.valueOf((long) Math.pow(10, decade)) : String.valueOf(Math.pow(10, decade))));
        }
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>time since start (s), 0 .. %.0f</text>%n",
                WIDTH / 2 - 80, HEIGHT - 12, spanSeconds));
        int stride = Math.max(1, history.size() / DOTS_MAX);
        for (int i = 0; i < history.size(); i += stride) {
            Operation op = history.get(i);
            double t = (op.invokeNanos() - originNanos) / 1e9;
            double ms = Math.max(LATENCY_MILLIS_MIN, op.latencyNanos() / 1e6);
            double x = MARGIN + plotW * t / spanSeconds;
            double y = MARGIN + plotH * (1 - (Math.log10(ms) - logMin) / (logMax - logMin));
            String colour = op.outcome() == Outcome.OK ? (op.type().name().equals("READ") ? "#2e86c1" : "#28b463")
                    : op.outcome() == Outcome.FAIL ? "#e74c3c" : "#8e44ad";
            b.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='1.5' fill='%s'/>%n", x, y, colour));
        }
        b.append("<text x='60' y='20'><tspan fill='#2e86c1'>● read ok</tspan>  <tspan fill='#28b463'>● write/add ok</tspan>"
                + "  <tspan fill='#e74c3c'>● fail</tspan>  <tspan fill='#8e44ad'>● info (indeterminate)</tspan>"
                + "  <tspan fill='#b7950b'>▮ fault active</tspan></text>\n");
        return b.append("</svg>\n").toString();
    }
}
