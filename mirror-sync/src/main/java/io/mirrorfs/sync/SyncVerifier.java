package io.mirrorfs.sync;

import io.mirrorfs.store.ChecksumMismatchException;
import io.mirrorfs.store.Crc32c;
import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectNotFoundException;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verify/repair (DESIGN §4): lists the block objects of both stores and checks every block the
 * metadata references. A block in the mirror's store whose listed size differs from the metadata's is
 * corrupt; with {@code readContent}, every present block is also read back and its CRC32C checked.
 * With repair, missing and corrupt blocks are copied from the source (verified by CRC, like sync does;
 * a corrupt one is overwritten). The referenced blocks come from the mirror's metadata
 * ({@link ReferencedBlocks}).
 */
public final class SyncVerifier {
    /** At most this many keys of each kind are listed in a report. */
    public static final int KEYS_LISTED_MAX = 1000;
    /** Listing bound: a store with more block objects than this needs a sharded verify. */
    public static final long OBJECTS_MAX = 20_000_000;
    private static final int PAGE = 1000;

    private final ObjectStore source;
    private final ObjectStore target;
    private final String volume;
    private final BlockCopier copier;

    public SyncVerifier(ObjectStore source, ObjectStore target, String volume) {
        this.source = source;
        this.target = target;
        this.volume = volume;
        // Repair copies only blocks already known to be missing; they are referenced, so live.
        this.copier = new BlockCopier(source, target, block -> true);
    }

    public VerifyReport verify(Iterable<BlockRef> referenced, boolean repair) throws IOException {
        return verify(referenced, repair, false);
    }

    public VerifyReport verify(Iterable<BlockRef> referenced, boolean repair, boolean readContent) throws IOException {
        Map<String, Long> inTarget = list(target);
        Map<String, Long> inSource = list(source);
        Tally t = new Tally();
        for (BlockRef block : referenced) {
            t.count++;
            String key = block.objectKey();
            Long size = inTarget.get(key);
            String corruption = size == null ? null : corruption(block, size, readContent);
            if (size != null && corruption == null) {
                t.present++;
                continue;
            }
            if (corruption != null) {
                t.corrupt++;
                addCapped(t.corruptKeys, key + ": " + corruption);
            } else if (inSource.containsKey(key)) {
                t.missing++;
                addCapped(t.missingKeys, key);
            } else {
                t.lost++;
                addCapped(t.lostKeys, key);
                continue;
            }
            if (repair) {
                try {
                    if (corruption != null) {
                        copier.copyOver(block);
                    } else {
                        copier.copy(block);
                    }
                    t.repaired++;
                } catch (IOException e) {
                    addCapped(t.repairErrors, key + ": " + e.getMessage());
                }
            }
        }
        long targetOnly = inTarget.keySet().stream().filter(k -> !inSource.containsKey(k)).count();
        return new VerifyReport(t.count, t.present, t.missing, t.missingKeys, t.corrupt, t.corruptKeys, t.lost,
                t.lostKeys, t.repaired, t.repairErrors, targetOnly);
    }

    /** Why the mirror's copy is wrong, or null if it is right (as far as checked). */
    private String corruption(BlockRef block, long listedSize, boolean readContent) throws IOException {
        if (listedSize != block.sizeBytes()) {
            return "size " + listedSize + ", metadata says " + block.sizeBytes();
        }
        if (!readContent) {
            return null;
        }
        try {
            byte[] data = target.get(block.objectKey());
            if (block.crcKnown()) {
                Crc32c.verify(target, block.objectKey(), data, block.sizeBytes(), block.crc32c());
            } else if (data.length != block.sizeBytes()) {
                return "read " + data.length + " bytes, metadata says " + block.sizeBytes();
            }
            return null;
        } catch (ChecksumMismatchException e) {
            return e.getMessage();
        } catch (ObjectNotFoundException e) {
            return "listed but not readable";
        }
    }

    private Map<String, Long> list(ObjectStore store) throws IOException {
        Map<String, Long> keys = new HashMap<>();
        String prefix = volume + "/chunks/";
        String after = null;
        while (true) {
            ListPage page = store.list(prefix, after, PAGE);
            for (ObjectInfo o : page.objects()) {
                keys.put(o.key(), o.sizeBytes());
            }
            if (keys.size() > OBJECTS_MAX) {
                throw new IOException(store.uri() + " holds more than " + OBJECTS_MAX + " block objects under " + prefix
                        + "; verify it in shards");
            }
            after = page.nextStartAfter();
            if (after == null) {
                return keys;
            }
        }
    }

    private static void addCapped(List<String> list, String item) {
        if (list.size() < KEYS_LISTED_MAX) {
            list.add(item);
        }
    }

    private static final class Tally {
        long count;
        long present;
        long missing;
        long corrupt;
        long lost;
        long repaired;
        final List<String> missingKeys = new ArrayList<>();
        final List<String> corruptKeys = new ArrayList<>();
        final List<String> lostKeys = new ArrayList<>();
        final List<String> repairErrors = new ArrayList<>();
    }
}
