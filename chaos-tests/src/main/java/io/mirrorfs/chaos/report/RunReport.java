package io.mirrorfs.chaos.report;

import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.history.HistoryFiles;
import io.mirrorfs.chaos.history.Operation;
import io.mirrorfs.chaos.history.Outcome;
import io.mirrorfs.chaos.nemesis.NemesisTimeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's artefacts to its folder: history.jsonl, nemesis.txt, verdicts.txt and report.html
 * (summary, verdicts, latency-over-time plot with fault bands). Every text names the seed and the
 * command that replays it.
 */
public final class RunReport {
    private RunReport() {}

    public static String replayHint(String testClass, long seed) {
        return "replay: mvn -B -o -pl chaos-tests verify -Dtest=" + testClass + " -Dchaos.seed=" + seed;
    }

    public static void write(Path dir, String testClass, long seed, long originNanos, long endNanos,
                             List<Operation> history, NemesisTimeline timeline, List<Verdict> verdicts) throws IOException {
        Files.createDirectories(dir);
        HistoryFiles.writeJsonLines(dir.resolve("history.jsonl"), history, originNanos);
        StringBuilder nemesis = new StringBuilder("# seed " + seed + "; seconds since the workload started\n");
        for (NemesisTimeline.Event e : timeline.events()) {
            nemesis.append(String.format(Locale.ROOT, "%8.3f %-6s %-9s %s%n", (e.nanos() - originNanos) / 1e9,
                    e.phase(), e.fault(), e.detail()));
        }
        Files.writeString(dir.resolve("nemesis.txt"), nemesis, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("verdicts.txt"), verdictText(testClass, seed, verdicts), StandardCharsets.UTF_8);

        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        history.forEach(op -> counts.merge(op.outcome(), 1, Integer::sum));
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>")
                .append(Html.escape(testClass)).append(" seed ").append(seed)
                .append("</title></head><body style='font-family:sans-serif'>\n<h1>")
                .append(Html.escape(testClass)).append(" — seed ").append(seed).append("</h1>\n<p>")
                .append(Html.escape(replayHint(testClass, seed))).append("</p>\n<p>")
                .append(String.format(Locale.ROOT, "%.1f s, %d operations: %s", (endNanos - originNanos) / 1e9,
                        history.size(), counts)).append("</p>\n<h2>Verdicts: ").append(overall(verdicts)).append("</h2>\n<pre>")
                .append(Html.escape(verdictText(testClass, seed, verdicts))).append("</pre>\n<h2>Latency over time</h2>\n")
                .append(LatencyPlot.svg(history, timeline.intervals(endNanos), originNanos, endNanos))
                .append("<h2>Nemesis timeline</h2>\n<pre>").append(Html.escape(nemesis.toString())).append("</pre>\n")
                .append("<p>Files: history.jsonl, nemesis.txt, verdicts.txt, n*.log (node output).</p></body></html>\n");
        Files.writeString(dir.resolve("report.html"), html, StandardCharsets.UTF_8);
    }

    public static Validity overall(List<Verdict> verdicts) {
        Validity v = Validity.VALID;
        for (Verdict x : verdicts) {
            v = v.and(x.validity());
        }
        return v;
    }

    public static String verdictText(String testClass, long seed, List<Verdict> verdicts) {
        StringBuilder b = new StringBuilder("seed " + seed + " — " + replayHint(testClass, seed) + "\n");
        for (Verdict v : verdicts) {
            b.append(v).append('\n');
        }
        return b.toString();
    }
}
