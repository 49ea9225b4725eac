package io.mirrorfs.sync;

import io.mirrorfs.store.ListPage;
import io.mirrorfs.store.ObjectInfo;
import io.mirrorfs.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verify/repair (DESIGN §4): lists the block objects of both stores and checks every block the
 * metadata references; with repair, copies the missing ones (verified by CRC, like sync does).
 * The referenced blocks come from the mirror's metadata (the caller walks its chunk lists).
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
        Set<String> inTarget = list(target);
        Set<String> inSource = list(source);
        long count = 0;
        long present = 0;
        long missing = 0;
        long lost = 0;
        long repaired = 0;
        List<String> missingKeys = new ArrayList<>();
        List<String> lostKeys = new ArrayList<>();
        List<String> repairErrors = new ArrayList<>();
        for (BlockRef block : referenced) {
            count++;
            String key = block.objectKey();
            if (inTarget.contains(key)) {
                present++;
            } else if (inSource.contains(key)) {
                missing++;
                addCapped(missingKeys, key);
                if (repair) {
                    try {
                        copier.copy(block);
                        repaired++;
                    } catch (IOException e) {
                        addCapped(repairErrors, key + ": " + e);
                    }
                }
            } else {
                lost++;
                addCapped(lostKeys, key);
            }
        }
        long targetOnly = inTarget.stream().filter(k -> !inSource.contains(k)).count();
        return new VerifyReport(count, present, missing, missingKeys, lost, lostKeys, repaired, repairErrors, targetOnly);
    }

    private Set<String> list(ObjectStore store) throws IOException {
        Set<String> keys = new HashSet<>();
        String prefix = volume + "/chunks/";
        String after = null;
        while (true) {
            ListPage page = store.list(prefix, after, PAGE);
            for (ObjectInfo o : page.objects()) {
                keys.add(o.key());
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
}
