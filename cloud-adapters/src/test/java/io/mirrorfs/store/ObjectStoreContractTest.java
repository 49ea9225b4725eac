package io.mirrorfs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The one contract every {@link ObjectStore} backend must meet, run against each of them (local
 * directory, S3 via S3Proxy, Azure via Azurite, GCS via LocalStorageHelper). Each test works under its
 * own random key prefix, so tests share one store without seeing each other's objects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ObjectStoreContractTest {

    protected ObjectStore store;
    private String base;

    /** Opens the store under test; called once per class. */
    protected abstract ObjectStore openStore() throws Exception;

    /** Stops servers the subclass started; called after the store is closed. */
    protected void stopServers() throws Exception {}

    @BeforeAll
    final void openOnce() throws Exception {
        store = openStore();
        if (emulatorSupportsBucketCalls()) {
            store.checkAccess();
        }
    }

    @AfterAll
    final void closeOnce() throws Exception {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            stopServers();
        }
    }

    @BeforeEach
    final void freshPrefix() {
        base = "t" + UUID.randomUUID().toString().substring(0, 8) + "/";
    }

    private String key(String name) {
        return base + name;
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void emptyObjectRoundTrips() throws IOException {
        store.put(key("empty"), new byte[0]);
        assertThat(store.get(key("empty"))).isEmpty();
        assertThat(store.head(key("empty"))).map(ObjectInfo::sizeBytes).contains(0L);
        assertThat(store.getRange(key("empty"), 0, 10)).isEmpty();
    }

    @Test
    void oneByteObjectRoundTrips() throws IOException {
        store.put(key("one"), new byte[] {42});
        assertThat(store.get(key("one"))).containsExactly(42);
        assertThat(store.getRange(key("one"), 0, 1)).containsExactly(42);
        assertThat(store.getRange(key("one"), 0, 100)).containsExactly(42);
        assertThat(store.getRange(key("one"), 1, 1)).isEmpty();
        ObjectInfo info = store.head(key("one")).orElseThrow();
        assertThat(info.key()).isEqualTo(key("one"));
        assertThat(info.sizeBytes()).isEqualTo(1);
        assertThat(info.lastModifiedMillis()).isPositive();
    }

    @Test
    void multipartSizedObjectRoundTripsAndRangesAcrossParts() throws IOException {
        StoreLimits limits = store.limits();
        int size = limits.multipartThresholdBytes() <= 64L << 20
                ? (int) (limits.multipartThresholdBytes() + limits.partSizeBytes() + 1)
                : (12 << 20) + 1;
        byte[] data = bytes(size, 7);
        store.put(key("big"), data);
        assertThat(store.head(key("big"))).map(ObjectInfo::sizeBytes).contains((long) size);
        assertSameBytes(store.get(key("big")), data);
        int partSize = (int) Math.min(limits.partSizeBytes(), size / 2);
        // A range straddling the first part boundary.
        byte[] slice = store.getRange(key("big"), partSize - 10, 20);
        assertThat(slice).isEqualTo(java.util.Arrays.copyOfRange(data, partSize - 10, partSize + 10));
        byte[] secondPart = store.getRange(key("big"), partSize, partSize);
        assertSameBytes(secondPart, java.util.Arrays.copyOfRange(data, partSize, 2 * partSize));
    }

    @Test
    void rangedReadsAtTheEdges() throws IOException {
        byte[] data = bytes(1000, 3);
        store.put(key("r"), data);
        assertThat(store.getRange(key("r"), 0, 10)).isEqualTo(java.util.Arrays.copyOfRange(data, 0, 10));
        assertThat(store.getRange(key("r"), 999, 1)).containsExactly(data[999]);
        assertThat(store.getRange(key("r"), 995, 100)).isEqualTo(java.util.Arrays.copyOfRange(data, 995, 1000));
        assertThat(store.getRange(key("r"), 1000, 5)).as("offset == size").isEmpty();
        assertThat(store.getRange(key("r"), 5000, 5)).as("offset past the end").isEmpty();
        assertThat(store.getRange(key("r"), 10, 0)).as("zero length").isEmpty();
        assertSameBytes(store.getRange(key("r"), 0, 1000), data);
    }

    @Test
    void missingKeysAreObjectNotFound() throws IOException {
        assertThat(store.head(key("missing"))).isEmpty();
        assertThatThrownBy(() -> store.get(key("missing"))).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> store.getRange(key("missing"), 0, 10)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> store.getRange(key("missing"), 0, 0)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> store.copy(key("missing"), key("dst"))).isInstanceOf(ObjectNotFoundException.class);
        assertThat(store.head(key("dst"))).as("a failed copy creates nothing").isEmpty();
    }

    @Test
    void samePutTwiceSucceeds() throws IOException {
        byte[] data = bytes(4096, 11);
        store.put(key("twice"), data);
        store.put(key("twice"), data);
        assertThat(store.get(key("twice"))).isEqualTo(data);
    }

    @Test
    void deleteIsIdempotent() throws IOException {
        store.put(key("d"), new byte[] {1, 2, 3});
        store.delete(key("d"));
        assertThat(store.head(key("d"))).isEmpty();
        assertThatThrownBy(() -> store.get(key("d"))).isInstanceOf(ObjectNotFoundException.class);
        store.delete(key("d"));
        store.delete(key("never-existed"));
    }

    @Test
    void copyDuplicatesAndKeepsTheSource() throws IOException {
        byte[] data = bytes(70_000, 5);
        store.put(key("src"), data);
        store.copy(key("src"), key("copies/dst"));
        assertSameBytes(store.get(key("copies/dst")), data);
        assertSameBytes(store.get(key("src")), data);
        assertThat(store.head(key("copies/dst"))).map(ObjectInfo::sizeBytes).contains(70_000L);
    }

    @Test
    void listPagesThroughThousandsOfKeysInOrder() throws Exception {
        int count = 2500;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(key(String.format("list/%02d/%05d", i % 37, i)));
        }
        runConcurrently(expected, k -> store.put(k, new byte[] {(byte) k.hashCode()}));
        expected.sort(null);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        int pageSize = 700; // not a divisor of 2500, so the last page is partial
        while (true) {
            ListPage page = store.list(key("list/"), cursor, pageSize);
            pages++;
            assertThat(page.objects().size()).isLessThanOrEqualTo(pageSize);
            page.objects().forEach(o -> seen.add(o.key()));
            if (!page.truncated()) {
                break;
            }
            cursor = page.nextStartAfter();
            assertThat(pages).as("listing must terminate").isLessThan(20);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isGreaterThanOrEqualTo(4);

        ListPage sub = store.list(key("list/07/"), null, 1000);
        assertThat(sub.objects()).isNotEmpty().allSatisfy(o -> assertThat(o.key()).startsWith(key("list/07/")));
        assertThat(sub.truncated()).isFalse();
        assertThat(store.list(key("list/nothing-here"), null, 10).objects()).isEmpty();
        assertThat(store.list(key("list/"), expected.get(count - 1), 10).objects()).isEmpty();
    }

    @Test
    void listOrderIsByKeyNotByDirectory() throws IOException {
        // '-' (0x2d) sorts before '/' (0x2f): a filesystem walk that sorts by name gets this wrong.
        for (String k : List.of("o/a/b", "o/a-c", "o/a0", "o/a/a")) {
            store.put(key(k), new byte[] {1});
        }
        List<String> keys = store.list(key("o/"), null, 100).objects().stream().map(ObjectInfo::key).toList();
        assertThat(keys).containsExactly(key("o/a-c"), key("o/a/a"), key("o/a/b"), key("o/a0"));
        List<String> after = store.list(key("o/"), key("o/a/a"), 100).objects().stream().map(ObjectInfo::key).toList();
        assertThat(after).containsExactly(key("o/a/b"), key("o/a0"));
        assertThat(store.list(key("o/a"), null, 1).truncated()).isTrue();
    }

    @Test
    void concurrentPutsOfDistinctKeysAllLand() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            keys.add(key("conc/" + i));
        }
        runConcurrently(keys, k -> store.put(k, bytes(10_000, k.hashCode())));
        for (String k : keys) {
            assertSameBytes(store.get(k), bytes(10_000, k.hashCode()));
        }
    }

    @Test
    void uriCarriesNoSecret() {
        assertThat(store.uri()).doesNotContain(secretMarker()).doesNotContain("@");
    }

    /** A secret used to open the store; it must never show in its URI. */
    protected String secretMarker() {
        return "no-secret-configured";
    }

    @Test
    void badKeysAreRejectedNotMapped() {
        assertThatThrownBy(() -> store.put("", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        Optional<ObjectInfo> ignored = Optional.empty();
        assertThat(ignored).isEmpty();
    }

    /** The GCS emulator implements no bucket calls, so {@link ObjectStore#checkAccess()} cannot run on it. */
    protected boolean emulatorSupportsBucketCalls() {
        return true;
    }

    /** Parallelism the backend is tested with; the GCS emulator overrides it (it is not thread-safe). */
    protected int writerThreads() {
        return 16;
    }

    /** Compares big arrays without printing megabytes: length, then the first differing offset. */
    protected static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        int mismatch = java.util.Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("first differing offset (-1 = none)").isEqualTo(-1);
    }

    private interface KeyAction {
        void run(String key) throws Exception;
    }

    private void runConcurrently(List<String> keys, KeyAction action) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writerThreads());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String k : keys) {
                futures.add(pool.submit(() -> {
                    action.run(k);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
