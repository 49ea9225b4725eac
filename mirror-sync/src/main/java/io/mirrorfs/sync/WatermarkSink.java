package io.mirrorfs.sync;

import java.io.IOException;

/**
 * Where the data watermark goes (DESIGN §4): the highest primary index whose blocks are all in the
 * mirror's store. In a deployment it is a proposal into the mirror's Raft group, so it survives
 * restarts and failover; {@link FileWatermarkSink} serves the embedded default and tests.
 * Published values only increase.
 */
public interface WatermarkSink {
    /** The last watermark published (0 if none): sync resumes above it. */
    long lastPublished() throws IOException;

    void publish(long watermark) throws IOException;
}
