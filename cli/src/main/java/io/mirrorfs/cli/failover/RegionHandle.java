package io.mirrorfs.cli.failover;

import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.Errno;
import io.mirrorfs.api.MetadataUnavailableException;
import io.mirrorfs.api.client.InvalidMetadataRequestException;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.AllocateIdsOp;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FenceOp;
import io.mirrorfs.api.proto.FollowPrimaryOp;
import io.mirrorfs.api.proto.IdKind;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.MirrorFollowerState;
import io.mirrorfs.api.proto.MirrorState;
import io.mirrorfs.api.proto.MirrorStateQuery;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.api.proto.PromoteOp;
import io.mirrorfs.api.topology.Region;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One region's metadata group as the failover tools see it: its {@link MirrorState}, the failover
 * ops proposed into its own log, and its leader's changelog-follower status. Every call is bounded
 * by {@code callDeadline}; an unreachable region is an answer ({@link #stateIfReachable}), not a hang.
 */
public final class RegionHandle implements AutoCloseable {
    public static final String ROLE_PRIMARY = "PRIMARY";
    public static final String ROLE_MIRROR = "MIRROR";

    private final Region region;
    private final Duration callDeadline;
    private final RaftMetadataClient client;
    private final RequestIds requestIds = new RequestIds();

    public RegionHandle(Region region, Duration callDeadline) {
        this.region = region;
        this.callDeadline = callDeadline;
        // One Ratis client, no batching: these are a handful of control calls. An attempt gets a quarter
        // of the deadline, so a dead first node of the region (a killed process does not refuse the
        // connection, it just never answers) leaves time to ask the others.
        this.client = RaftMetadataClient.connect(region.group(), MetadataClientOptions.defaults()
                .withDeadline(callDeadline).withRpcTimeout(attemptTimeout(callDeadline)).withRaftClients(1)
                .withReadBatching(1, 1).withWriteBatching(1, 1));
    }

    private static Duration attemptTimeout(Duration callDeadline) {
        Duration quarter = callDeadline.dividedBy(4);
        return quarter.compareTo(Duration.ofMillis(250)) < 0 ? Duration.ofMillis(250) : quarter;
    }

    public Region region() {
        return region;
    }

    public String name() {
        return region.name();
    }

    public RaftMetadataClient client() {
        return client;
    }

    /** The group's role, epoch, fence and indexes; fails if the group does not answer in time. */
    public MirrorState state() throws FailoverException {
        MetaReply reply = await(client.query(MetaQuery.newBuilder().setCaller(Caller.getDefaultInstance())
                .setMirrorState(MirrorStateQuery.getDefaultInstance()).build()), "read the region state");
        if (reply.getErrno() != 0) {
            throw new FailoverException("region '" + name() + "' refused the state query: " + Errno.of(reply.getErrno()));
        }
        return reply.getMirrorState();
    }

    /** The state, or empty when the region does not answer within the call deadline. */
    public Optional<MirrorState> stateIfReachable() {
        try {
            return Optional.of(state());
        } catch (FailoverException e) {
            return Optional.empty();
        }
    }

    /** FenceOp: the primary stops accepting client mutations of {@code epoch}. */
    public MetaReply fence(long epoch, String reason) throws FailoverException {
        return mutate(MetaRequest.newBuilder().setFence(FenceOp.newBuilder().setEpoch(epoch).setReason(reason)),
                "fence (epoch " + epoch + ")");
    }

    /** PromoteOp: this mirror becomes the primary of {@code newEpoch} at the primary index it applied. */
    public MetaReply promote(long newEpoch, boolean forced, String reason) throws FailoverException {
        return mutate(MetaRequest.newBuilder().setPromote(PromoteOp.newBuilder().setNewEpoch(newEpoch)
                .setRegion(name()).setForced(forced).setReason(reason)), "promote to epoch " + newEpoch);
    }

    /** FollowPrimaryOp: this group becomes a mirror of {@code primary} (its leader follows it at once). */
    public MetaReply followPrimary(long epoch, Region primary, long resumeAfterIndex) throws FailoverException {
        String peers = primary.meta().stream().map(MetaPeer::toString).collect(Collectors.joining(","));
        return mutate(MetaRequest.newBuilder().setFollowPrimary(FollowPrimaryOp.newBuilder().setEpoch(epoch)
                        .setPrimaryRegion(primary.name()).setResumeAfterIndex(resumeAfterIndex)
                        .setPrimaryPeers(peers).setPrimaryGroup(primary.group().name())),
                "follow primary '" + primary.name() + "' (epoch " + epoch + ")");
    }

    /**
     * Whether an ordinary client mutation is accepted now: allocates one inode id (a real, harmless
     * mutation every client makes). EROFS/ESTALE or no answer = not accepting.
     */
    public boolean acceptsWrites() {
        MetaRequest request = MetaRequest.newBuilder().setRequestId(requestIds.next())
                .setCaller(Caller.getDefaultInstance())
                .setAllocateIds(AllocateIdsOp.newBuilder().setKind(IdKind.INODE).setCount(1)).build();
        try {
            return client.mutate(request).get(callDeadline.toMillis(), TimeUnit.MILLISECONDS).getErrno() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The changelog follower's progress as the group's nodes report it (the leader runs it), or empty
     * when no node answers or none follows. After the primary died this is the only record of how far
     * the primary had got ({@code primary_last_index}).
     */
    public Optional<MirrorFollowerState> followerState() {
        MirrorFollowerState best = null;
        for (MetaPeer peer : region.meta()) {
            try (MetadataAdminClient admin = new MetadataAdminClient(peer, Duration.ofSeconds(3))) {
                NodeStatusReply status = admin.nodeStatus();
                if (status.hasFollower() && (best == null
                        || status.getFollower().getPrimaryLastIndex() > best.getPrimaryLastIndex())) {
                    best = status.getFollower();
                }
            } catch (StatusRuntimeException e) {
                // This node is down or unreachable: ask the next one.
            }
        }
        return Optional.ofNullable(best);
    }

    private MetaReply mutate(MetaRequest.Builder request, String what) throws FailoverException {
        MetaRequest built = request.setRequestId(requestIds.next()).setCaller(Caller.getDefaultInstance()).build();
        MetaReply reply = await(client.mutate(built), what);
        if (reply.getErrno() != 0) {
            throw new FailoverException(what + " refused by region '" + name() + "': " + Errno.of(reply.getErrno()));
        }
        return reply;
    }

    private MetaReply await(java.util.concurrent.CompletableFuture<MetaReply> future, String what)
            throws FailoverException {
        try {
            // The client bounds the call by callDeadline; the extra second only covers its own scheduling.
            return future.get(callDeadline.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FailoverException("interrupted while trying to " + what + " on region '" + name() + "'", e);
        } catch (TimeoutException e) {
            throw new FailoverException("region '" + name() + "' did not answer within " + callDeadline.toMillis()
                    + " ms (" + what + ")", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MetadataUnavailableException || cause instanceof InvalidMetadataRequestException) {
                throw new FailoverException("cannot " + what + " on region '" + name() + "': " + cause.getMessage(), cause);
            }
            throw new FailoverException("cannot " + what + " on region '" + name() + "': " + cause, cause);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
