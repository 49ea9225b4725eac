package io.mirrorfs.chaos.check;

import io.mirrorfs.chaos.workload.DataFileWorkload;
import io.mirrorfs.chaos.workload.DataFileWorkload.WrittenFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The data watermark's promise (DESIGN §4): every block of every slice committed at a primary index
 * at or below the mirror's watermark is in the mirror's store, intact. Checked from the outside while
 * the run goes on: read the watermark W first, then every acknowledged file committed at or below W
 * must have all its blocks in the mirror's store with the right size and CRC32C. Blocks are never
 * removed in these runs, so a block missing after W was read is a broken promise, not a race. A file
 * is checked once, when the watermark first covers it.
 */
public final class WatermarkAudit {
    public static final String NAME = "watermark-honesty";
    private static final int ANOMALIES_MAX = 20;

    /** Reads one object of the mirror's store; empty if it does not exist. */
    @FunctionalInterface
    public interface BlockReader {
        Optional<byte[]> get(String objectKey) throws IOException;
    }

    private final BlockReader mirrorStore;
    private final Supplier<List<WrittenFile>> acknowledged;
    private final Set<String> verified = new HashSet<>();
    private final List<String> anomalies = new ArrayList<>();
    private long highestWatermark;
    private long filesCovered;
    private long rounds;

    public WatermarkAudit(BlockReader mirrorStore, Supplier<List<WrittenFile>> acknowledged) {
        this.mirrorStore = mirrorStore;
        this.acknowledged = acknowledged;
    }

    /** One round at watermark {@code watermark}, which must have been read before this call. */
    public synchronized void audit(long watermark) throws IOException {
        rounds++;
        highestWatermark = Math.max(highestWatermark, watermark);
        for (WrittenFile f : acknowledged.get()) {
            if (f.commitIndex() > watermark || verified.contains(f.name())) {
                continue;
            }
            verified.add(f.name());
            filesCovered++;
            for (DataFileWorkload.Block b : f.blocks()) {
                Optional<byte[]> data = mirrorStore.get(b.objectKey());
                String where = "file " + f.name() + " (committed at primary index " + f.commitIndex() + " <= watermark "
                        + watermark + "): block " + b.objectKey();
                if (data.isEmpty()) {
                    add(where + " missing from the mirror's store");
                } else if (data.get().length != b.sizeBytes() || DataFileWorkload.crc32c(data.get()) != b.crc32c()) {
                    add(where + " corrupt (" + data.get().length + " bytes, expected " + b.sizeBytes() + " and its CRC)");
                }
            }
        }
    }

    private void add(String anomaly) {
        if (anomalies.size() < ANOMALIES_MAX) {
            anomalies.add(anomaly);
        }
    }

    public synchronized Verdict verdict() {
        String summary = rounds + " audits up to watermark " + highestWatermark + ", " + filesCovered
                + " acknowledged files covered by it and checked";
        return new Verdict(NAME, anomalies.isEmpty() ? Validity.VALID : Validity.INVALID, summary, anomalies);
    }
}
