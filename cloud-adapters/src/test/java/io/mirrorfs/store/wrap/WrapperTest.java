package io.mirrorfs.store.wrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.store.ChecksumMismatchException;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.CrossStoreCopier;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.StoreException;
import io.mirrorfs.store.local.LocalDirectoryStore;
import io.mirrorfs.store.wrap.FaultInjectingStore.Fault;
import io.mirrorfs.store.wrap.FaultInjectingStore.Faults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrapperTest {

    @TempDir
    Path dir;
    ObjectStore local;
    FaultInjectingStore faulty;
    final List<Long> sleeps = new ArrayList<>();
    RetryingStore retrying;

    @BeforeEach
    void setUp() throws Exception {
        local = new LocalDirectoryStore(dir);
        faulty = new FaultInjectingStore(local, Faults.none(), 42);
        retrying = new RetryingStore(faulty, new RetryingStore.Policy(4, Duration.ofMillis(100), Duration.ofMillis(250)),
                new Random(1), sleeps::add);
    }

    @Test
    void retriesRetryableErrorsWithCappedBackoffThenSucceeds() throws Exception {
        local.put("k", new byte[] {1});
        faulty.failNext(Fault.RETRYABLE_ERROR, 3);
        assertThat(retrying.get("k")).containsExactly(1);
        assertThat(sleeps).hasSize(3).allSatisfy(s -> assertThat(s).isBetween(0L, 250L));
    }

    @Test
    void givesUpAfterAttemptsMax() throws Exception {
        local.put("k", new byte[] {1});
        faulty.failNext(Fault.RETRYABLE_ERROR, 10);
        assertThatThrownBy(() -> retrying.get("k")).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.retryable()).isTrue());
        assertThat(faulty.injectedCount()).isEqualTo(4);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void nonRetryableErrorsAndNotFoundStopAtOnce() throws Exception {
        faulty.failNext(Fault.FATAL_ERROR, 10);
        assertThatThrownBy(() -> retrying.put("k", new byte[1])).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.retryable()).isFalse());
        assertThat(faulty.injectedCount()).isEqualTo(1);
        faulty.failNext(Fault.FATAL_ERROR, 0);
        assertThatThrownBy(() -> retrying.get("absent")).isInstanceOf(ObjectNotFoundException.class);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void checksumMismatchIsDetectedAndNeverReturned() throws Exception {
        byte[] data = new byte[10_000];
        new Random(3).nextBytes(data);
        local.put("b", data);
        int crc = Crc32c.of(data);
        faulty.failNext(Fault.CORRUPTED_READ, 1);
        assertThatThrownBy(() -> Crc32c.getVerified(faulty, "b", data.length, crc))
                .isInstanceOf(ChecksumMismatchException.class).hasMessageContaining("CRC32C mismatch");
        faulty.failNext(Fault.TRUNCATED_READ, 1);
        assertThatThrownBy(() -> Crc32c.getVerified(faulty, "b", data.length, crc))
                .isInstanceOf(ChecksumMismatchException.class).hasMessageContaining("size mismatch");
        assertThat(Crc32c.getVerified(faulty, "b", data.length, crc)).isEqualTo(data);
        assertThat(Crc32c.of(new byte[0])).isZero();
        assertThat(Crc32c.of("123456789".getBytes())).isEqualTo(0xE3069283); // the CRC32C check value
    }

    @Test
    void injectedFaultsSurfaceAsTheRightExceptions() throws Exception {
        local.put("k", new byte[] {1, 2});
        faulty.failNext(Fault.MISSING_OBJECT, 1);
        assertThatThrownBy(() -> faulty.get("k")).isInstanceOf(ObjectNotFoundException.class);
        faulty.failNext(Fault.MISSING_OBJECT, 1);
        assertThat(faulty.head("k")).isEmpty();
        faulty.failNext(Fault.TRUNCATED_READ, 1);
        assertThat(faulty.get("k")).hasSize(1);
        assertThat(faulty.get("k")).hasSize(2);
    }

    @Test
    void seededRandomFaultsReplayExactly() throws Exception {
        local.put("k", new byte[] {1, 2, 3, 4});
        assertThat(outcomes(7)).isEqualTo(outcomes(7)).contains("ok").contains("RetryableError");
    }

    private List<String> outcomes(long seed) throws Exception {
        FaultInjectingStore f = new FaultInjectingStore(local, new Faults(0.3, 0, 0.2, 0, 0.1, 0), seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            try {
                out.add(f.get("k").length == 4 ? "ok" : "truncated");
            } catch (ObjectNotFoundException e) {
                out.add("missing");
            } catch (StoreException e) {
                out.add("RetryableError");
            }
        }
        return out;
    }

    @Test
    void timeoutCutsSlowCallsWithARetryableError() throws Exception {
        local.put("k", new byte[] {1});
        // The seeded first roll decides the latency; make sure the call would be slower than the bound.
        try (TimeoutStore timed = new TimeoutStore(new FaultInjectingStore(local, new Faults(0, 0, 0, 0, 0, 5_000), 5),
                Duration.ofMillis(200), Duration.ofMillis(200), 1L << 30)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> timed.head("k")).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.retryable()).isTrue()).hasMessageContaining("timed out");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
        }
        try (TimeoutStore timed = new TimeoutStore(local, Duration.ofSeconds(5), Duration.ofSeconds(5), 1L << 20)) {
            assertThat(timed.get("k")).containsExactly(1);
            assertThat(timed.timeoutMillis(Op.PUT, 4L << 20)).isEqualTo(5_000 + 4_000);
        }
    }

    @Test
    void bandwidthLimitIsRoughlyHonoured() throws Exception {
        long rate = 2L << 20; // 2 MiB/s
        BandwidthLimitedStore limited = new BandwidthLimitedStore(local, rate, 256 * 1024);
        byte[] block = new byte[512 * 1024];
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            limited.put("bw/" + i, block); // 3 MiB in total, 256 KiB burst
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Ideal: (3 MiB - 256 KiB) / 2 MiB/s ≈ 1.375 s. Generous bounds for a shared 2-core machine.
        assertThat(seconds).isBetween(1.1, 4.0);
    }

    @Test
    void metricsCountCallsBytesErrorsAndLatency() throws Exception {
        MetricsStore metrics = new MetricsStore(faulty);
        metrics.put("m", new byte[100]);
        metrics.get("m");
        assertThatThrownBy(() -> metrics.get("none")).isInstanceOf(ObjectNotFoundException.class);
        var snap = metrics.snapshot();
        assertThat(snap.get(Op.PUT).calls()).isEqualTo(1);
        assertThat(snap.get(Op.PUT).bytesOut()).isEqualTo(100);
        assertThat(snap.get(Op.GET).calls()).isEqualTo(2);
        assertThat(snap.get(Op.GET).errors()).isEqualTo(1);
        assertThat(snap.get(Op.GET).bytesIn()).isEqualTo(100);
        assertThat(snap.get(Op.GET).latencyMicrosQuantileUpper(1.0)).isPositive();
        assertThat(snap.get(Op.LIST).calls()).isZero();
    }

    @Test
    void crossStoreCopyVerifiesAndSkipsPresentBlocks(@TempDir Path other) throws Exception {
        ObjectStore mirror = new LocalDirectoryStore(other);
        byte[] data = new byte[4096];
        new Random(9).nextBytes(data);
        local.put("blk", data);
        CrossStoreCopier copier = new CrossStoreCopier(4L << 20);
        assertThat(copier.copy(faulty, mirror, "blk", data.length, Crc32c.of(data))).isEqualTo(CrossStoreCopier.Outcome.COPIED);
        assertThat(mirror.get("blk")).isEqualTo(data);
        assertThat(copier.copy(faulty, mirror, "blk", data.length, Crc32c.of(data)))
                .isEqualTo(CrossStoreCopier.Outcome.ALREADY_PRESENT);
        faulty.failNext(Fault.CORRUPTED_READ, 1);
        assertThatThrownBy(() -> copier.copy(faulty, mirror, "blk2-missing", 1, 0)).isInstanceOf(ObjectNotFoundException.class);
        local.put("blk3", data);
        faulty.failNext(Fault.CORRUPTED_READ, 1);
        assertThatThrownBy(() -> copier.copy(faulty, mirror, "blk3", data.length, Crc32c.of(data)))
                .isInstanceOf(ChecksumMismatchException.class);
        assertThat(mirror.head("blk3")).as("a corrupt source is never propagated").isEmpty();
    }

    @Test
    void prefixStoreConfinesKeys() throws Exception {
        PrefixStore p = new PrefixStore(local, "vol1/");
        p.put("a/b", new byte[] {5});
        assertThat(local.get("vol1/a/b")).containsExactly(5);
        assertThat(p.list("", null, 10).objects()).extracting(o -> o.key()).containsExactly("a/b");
        assertThat(p.head("a/b")).map(o -> o.key()).contains("a/b");
        assertThat(p.uri()).endsWith("/vol1/");
    }
}
