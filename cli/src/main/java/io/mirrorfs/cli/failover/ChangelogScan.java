package io.mirrorfs.cli.failover;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.FsLimits;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.api.proto.ChangelogEntry;
import io.mirrorfs.api.proto.ChangelogServiceGrpc;
import io.mirrorfs.api.proto.FollowRequest;
import io.mirrorfs.api.topology.Region;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads a bounded range of one region's changelog through its {@code ChangelogService.Follow}, the
 * same stream mirrors use. The stream never ends by itself (it waits for new entries), so the scan
 * stops at {@code toIndex} and the call is bounded by a deadline.
 */
public final class ChangelogScan {
    /** A report lists at most this many entries; beyond it the scan says it was cut. */
    public static final int ENTRIES_MAX = 100_000;
    /** The name the scan identifies itself with on the serving node (acks are never sent). */
    static final String READER_NAME = "failover-report";

    public record Result(List<ChangelogEntry> entries, boolean complete, String note) {}

    private ChangelogScan() {}

    /** As {@link #read(Region, String, long, long, Duration, ChannelSecurity)} with this process's default security. */
    public static Result read(Region region, String volume, long fromIndex, long toIndex, Duration deadline) {
        return read(region, volume, fromIndex, toIndex, deadline, ChannelSecurity.processDefault());
    }

    /** Entries with index in [fromIndex, toIndex] of {@code region}, asking its nodes in turn. */
    public static Result read(Region region, String volume, long fromIndex, long toIndex, Duration deadline,
                              ChannelSecurity security) {
        if (toIndex < fromIndex) {
            return new Result(List.of(), true, "");
        }
        StringBuilder errors = new StringBuilder();
        for (MetaPeer peer : region.meta()) {
            ManagedChannel channel = security.channelBuilder(peer.host(), peer.adminPort()).build();
            try {
                return readFrom(channel, volume, fromIndex, toIndex, deadline);
            } catch (StatusRuntimeException e) {
                errors.append(peer.id()).append(": ").append(e.getStatus()).append("; ");
            } finally {
                channel.shutdownNow(); // also cancels the open stream
            }
        }
        return new Result(List.of(), false, "changelog of region '" + region.name() + "' not readable ("
                + errors + ")");
    }

    private static Result readFrom(ManagedChannel channel, String volume, long fromIndex, long toIndex, Duration deadline) {
        FollowRequest request = FollowRequest.newBuilder().setVolume(volume).setFromIndex(fromIndex)
                .setMirrorName(READER_NAME).setFormatVersion(FsLimits.LOG_FORMAT_VERSION).build();
        Iterator<ChangelogEntry> stream = ChangelogServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).follow(request);
        List<ChangelogEntry> out = new ArrayList<>();
        try {
            while (stream.hasNext()) {
                ChangelogEntry e = stream.next();
                if (e.getIndex() > toIndex) {
                    return new Result(out, true, "");
                }
                out.add(e);
                if (e.getIndex() == toIndex) {
                    return new Result(out, true, "");
                }
                if (out.size() >= ENTRIES_MAX) {
                    return new Result(out, false, "cut after " + ENTRIES_MAX + " entries");
                }
            }
        } catch (StatusRuntimeException e) {
            if (!out.isEmpty()) {
                return new Result(out, false, "stream ended early: " + e.getStatus());
            }
            throw e;
        }
        return new Result(out, false, "stream ended at " + (out.isEmpty() ? "start" : out.getLast().getIndex()));
    }
}
