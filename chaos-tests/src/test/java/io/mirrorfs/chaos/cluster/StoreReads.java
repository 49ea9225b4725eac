package io.mirrorfs.chaos.cluster;

import io.mirrorfs.chaos.check.Validity;
import io.mirrorfs.chaos.check.Verdict;
import io.mirrorfs.chaos.harness.Await;
import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads of a store that the nemesis may pause, partition or kill: "not there" (404) is an answer,
 * "no answer" is not, so an outage is waited out (with a deadline) instead of being taken for a
 * missing block — which would make the watermark audit report a loss the sync never caused.
 */
final class StoreReads {
    /** Longer than any fault the nemesis holds (≤ 6 s) plus a killed server's restart. */
    static final Duration OUTAGE_MAX = Duration.ofSeconds(90);
    private static final int ANOMALIES_MAX = 20;

    private StoreReads() {}

    /** The object, or empty if the store answers that it does not exist; waits out store outages. */
    static Optional<byte[]> waitingOutOutages(ObjectStore store, String key) throws IOException {
        AtomicReference<Optional<byte[]>> answer = new AtomicReference<>();
        try {
            Await.until("the store to answer for " + key, OUTAGE_MAX, () -> {
                try {
                    answer.set(Optional.of(store.get(key)));
                } catch (ObjectNotFoundException absent) {
                    answer.set(Optional.empty());
                }
                return true;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + key, e);
        } catch (Exception | AssertionError e) {
            throw new IOException("the store did not answer for " + key + " within " + OUTAGE_MAX.toSeconds() + " s", e);
        }
        return answer.get();
    }

    /** Every block of every acknowledged file is in {@code store} with its size and CRC32C. */
    static Verdict acknowledgedBlocksIntact(String name, ObjectStore store, List<DataFileWorkload.WrittenFile> files)
            throws IOException {
        List<String> anomalies = new ArrayList<>();
        int blocks = 0;
        int bad = 0;
        for (DataFileWorkload.WrittenFile f : files) {
            for (DataFileWorkload.Block b : f.blocks()) {
                blocks++;
                Optional<byte[]> data = waitingOutOutages(store, b.objectKey());
                String problem = data.isEmpty() ? "missing"
                        : data.get().length != b.sizeBytes() || DataFileWorkload.crc32c(data.get()) != b.crc32c()
                                ? "corrupt (" + data.get().length + " bytes, expected " + b.sizeBytes() + " and its CRC)"
                                : null;
                if (problem != null) {
                    bad++;
                    if (anomalies.size() < ANOMALIES_MAX) {
                        anomalies.add("file " + f.name() + ": block " + b.objectKey() + " " + problem);
                    }
                }
            }
        }
        return new Verdict(name, bad == 0 ? Validity.VALID : Validity.INVALID,
                blocks + " blocks of " + files.size() + " acknowledged files read back, " + bad + " missing or corrupt",
                anomalies);
    }
}
