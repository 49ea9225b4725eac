package io.mirrorfs.meta.changelog;

import io.mirrorfs.api.proto.VolumeInfo;
import io.mirrorfs.meta.engine.ChangelogRow;
import io.mirrorfs.meta.engine.ChangelogStats;
import io.mirrorfs.meta.engine.NamespaceEngine;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads the changelog of the node's current engine. A supplier, because the Ratis state machine
 * replaces its engine when it installs a snapshot.
 */
public final class EngineChangelogReader implements ChangelogReader {
    private final Supplier<NamespaceEngine> engine;

    public EngineChangelogReader(Supplier<NamespaceEngine> engine) {
        this.engine = engine;
    }

    private NamespaceEngine current() throws IOException {
        NamespaceEngine e = engine.get();
        if (e == null) {
            throw new IOException("the metadata engine is not open (node starting or installing a snapshot)");
        }
        return e;
    }

    @Override
    public String volume() {
        NamespaceEngine e = engine.get();
        VolumeInfo info = e == null ? null : e.volumeInfo();
        return info == null ? null : info.getVolume();
    }

    @Override
    public ChangelogStats stats() throws IOException {
        return current().changelogStats();
    }

    @Override
    public List<ChangelogRow> read(long fromIndex, int entriesMax, long bytesMax) throws IOException {
        return current().readChangelog(fromIndex, entriesMax, bytesMax);
    }
}
