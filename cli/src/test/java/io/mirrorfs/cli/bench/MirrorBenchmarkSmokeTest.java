package io.mirrorfs.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of {@code bench mirror} on real parts (two in-process Ratis regions, local-directory
 * stores, the sync service, a linearizable mirror client): every figure is printed, measured over
 * real samples, plausible, and the temporary folder is gone afterwards. Not a performance test: the
 * delay is small and the load light so it passes on a busy machine.
 */
class MirrorBenchmarkSmokeTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void shortRunPrintsEveryFigureWithSamplesBehindIt() throws Exception {
        MirrorBenchConfig config = MirrorBenchConfig.of(3, 5, 2, 1, 0, 2, 2, 1).withReportInterval(Duration.ofSeconds(1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MirrorBenchResult r = new MirrorBenchmark(config, 20, new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .run(dir);
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("[", "] writes", "== summary ==", "configuration: delay 5 ms one-way", "warming up for 1 s",
                "write rate: ", "metadata lag: p50 ", "data watermark lag: p50 ", "linearizable mirror reads: ",
                "primary round trips");
        assertThat(r.mutations()).as(out).isPositive();
        assertThat(r.blocks()).as(out).isPositive();
        assertThat(r.writeErrors()).as(out).isZero();

        // Every write was seen by the mirror after the load (the drain), and each lag is a real time.
        // (A write in flight when the warm-up ended may fall on either side of it: one per writer.)
        assertThat(r.metadataLag().count()).as(out).isCloseTo(r.mutations(), within((long) config.writers()));
        assertThat(r.metadataLag().pending()).as(out).isZero();
        assertThat(r.metadataLag().p99Millis()).as(out).isBetween(0.0, 60_000.0);
        assertThat(r.metadataLag().maxMillis()).as(out).isGreaterThanOrEqualTo(r.metadataLag().p50Millis());
        assertThat(r.dataLag().count()).as(out).isCloseTo(r.blocks(), within((long) config.writers()));
        assertThat(r.dataLag().pending()).as(out).isZero();
        // A block's watermark needs the metadata first, then a copy and a Raft commit: not sooner.
        assertThat(r.dataLag().p50Millis()).as(out).isGreaterThanOrEqualTo(0.0);

        // Linearizable reads crossed the (delayed) link to the primary, at most once each, plus the
        // one probe that found the primary when the client started.
        assertThat(r.reads().reads()).as(out).isPositive();
        assertThat(r.reads().errors()).as(out).isZero();
        assertThat(r.reads().primaryProbes()).as(out).isPositive().isLessThanOrEqualTo(r.reads().reads() + 1);
        // Each read waits at least one round trip (2 × 5 ms) for its probe.
        assertThat(r.reads().p50Millis()).as(out).isGreaterThanOrEqualTo(10.0);

        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("the run's temporary folder is deleted").isEmpty();
        }
    }

    @Test
    void badInputIsRefusedWithTheFlagNamedAndNothingCreated() throws Exception {
        assertThatThrownBy(() -> MirrorBenchConfig.of(10, 50, 4, 5, 32, 16, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--block-mib");
        assertThatThrownBy(() -> MirrorBenchConfig.of(0, 50, 4, 4, 32, 16, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--seconds");
        assertThatThrownBy(() -> MirrorBenchConfig.of(10, -1, 4, 4, 32, 16, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--delay-ms");
        assertThatThrownBy(() -> MirrorBenchConfig.of(10, 50, 0, 4, 32, 16, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--writers");
        assertThatThrownBy(() -> MirrorBenchConfig.of(10, 50, 4, 4, -1, 16, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bandwidth-mib");
        assertThatThrownBy(() -> MirrorBenchConfig.of(10, 50, 4, 4, 32, 16, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--readers");
        MirrorBenchConfig ok = MirrorBenchConfig.of(1, 0, 1, 1, 0, 1, 0, 0);
        assertThatThrownBy(() -> new MirrorBenchmark(ok, -1, System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--meta-ops");
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> new MirrorBenchmark(ok, 0, System.out).run(notADir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--data");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactly(notADir);
        }
    }
}
