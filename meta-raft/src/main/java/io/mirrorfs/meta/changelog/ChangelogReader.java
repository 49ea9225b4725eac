package io.mirrorfs.meta.changelog;

import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.ChangelogStats;
import java.io.IOException;
import java.util.List;

/** What the changelog service and trimmer need of the engine: a narrow seam, easy to fake. */
public interface ChangelogReader {
    /** The volume name, or null before the volume is formatted. */
    String volume();

    ChangelogStats stats() throws IOException;

    /** Entries with index >= fromIndex, in order, bounded by count and bytes. */
    List<ChangelogRow> read(long fromIndex, int entriesMax, long bytesMax) throws IOException;
}
