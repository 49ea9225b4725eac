package io.mirrorfs.cli.bench;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The primary's metadata group as a mirror mount in the other region reaches it: each call leaves
 * after the one-way delay and its reply arrives one more delay later. It also counts the calls that
 * reach the primary, split into MirrorStateQuery probes (what a linearizable mirror read costs) and
 * the rest, so the benchmark can report primary round trips per read. Closing does not close the
 * wrapped client (the benchmark owns it).
 */
final class RemotePrimaryClient implements MetadataClient {
    private final MetadataClient primary;
    private final Executor departure;
    private final Executor arrival;
    private final AtomicLong stateProbes = new AtomicLong();
    private final AtomicLong otherCalls = new AtomicLong();

    RemotePrimaryClient(MetadataClient primary, Duration oneWay) {
        if (oneWay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0: " + oneWay);
        }
        this.primary = primary;
        this.departure = CompletableFuture.delayedExecutor(oneWay.toNanos(), TimeUnit.NANOSECONDS);
        this.arrival = CompletableFuture.delayedExecutor(oneWay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** MirrorStateQuery calls that reached the primary (each one round trip). */
    long stateProbes() {
        return stateProbes.get();
    }

    /** Every other call that reached the primary. */
    long otherCalls() {
        return otherCalls.get();
    }

    @Override
    public CompletableFuture<MetaReply> mutate(MetaRequest request) {
        otherCalls.incrementAndGet();
        return across(() -> primary.mutate(request));
    }

    @Override
    public CompletableFuture<MetaReply> query(MetaQuery query) {
        if (query.getQueryCase() == MetaQuery.QueryCase.MIRROR_STATE) {
            stateProbes.incrementAndGet();
        } else {
            otherCalls.incrementAndGet();
        }
        return across(() -> primary.query(query));
    }

    @Override
    public CompletableFuture<MetaReply> queryAtLeast(MetaQuery query, long minIndex) {
        otherCalls.incrementAndGet();
        return across(() -> primary.queryAtLeast(query, minIndex));
    }

    /** Sends after the one-way delay; completes one delay after the primary answered. */
    private CompletableFuture<MetaReply> across(Supplier<CompletableFuture<MetaReply>> call) {
        return CompletableFuture.supplyAsync(() -> null, departure)
                .thenCompose(ignored -> call.get())
                .thenApplyAsync(reply -> reply, arrival);
    }

    @Override
    public void close() {
        // The wrapped client belongs to the benchmark, which closes it after every mount that uses it.
    }
}
