package io.mirrorfs.cli.failover.drill;

import io.mirrorfs.api.Errno;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Formats the volume of a freshly started drill deployment on its primary (mirrors get it by replication). */
public final class DrillSetup {
    private DrillSetup() {}

    /** Formats the primary's volume; waits (bounded by {@code max}) for its group to elect a leader first. */
    public static void formatPrimary(Topology topology, Duration max) throws IOException, InterruptedException {
        Region primary = topology.primary();
        try (RaftMetadataClient client = RaftMetadataClient.connect(primary.group(),
                MetadataClientOptions.defaults().withDeadline(max).withRaftClients(1))) {
            MetaReply reply = client.mutate(MetaOps.format(new RequestIds().next(), topology.volume(), primary.storeUri(), 0))
                    .get(max.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            if (reply.getErrno() != 0 && reply.getErrno() != Errno.EEXIST.code()) {
                throw new IOException("format of volume '" + topology.volume() + "' on region '" + primary.name()
                        + "' refused: " + Errno.of(reply.getErrno()));
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("cannot format volume '" + topology.volume() + "' on region '" + primary.name()
                    + "': " + (e.getCause() != null ? e.getCause().getMessage() : e), e);
        }
    }
}
