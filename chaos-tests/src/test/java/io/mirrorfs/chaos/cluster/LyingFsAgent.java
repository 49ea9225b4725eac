package io.mirrorfs.chaos.cluster;

import io.mirrorfs.chaos.agent.FsAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deliberately broken client, test scope only: every third create is written and fsynced on the
 * container's local /tmp instead of the mount and still acknowledged — "fsync returned" without the
 * file ever reaching the metadata. {@link BrokenMountDetectionTest} shows the set checker catches it.
 */
public final class LyingFsAgent extends FsAgent {
    private static final int LIE_EVERY = 3;
    private final AtomicLong creates = new AtomicLong();

    @Override
    protected String createDurably(Path file, String content) throws IOException {
        if (creates.incrementAndGet() % LIE_EVERY == 0) {
            Path local = Path.of("/tmp/not-on-the-mount");
            Files.createDirectories(local);
            return super.createDurably(local.resolve(file.getFileName()), content);
        }
        return super.createDurably(file, content);
    }
}
