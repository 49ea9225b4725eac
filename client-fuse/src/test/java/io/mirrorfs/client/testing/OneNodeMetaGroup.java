package io.mirrorfs.client.testing;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.net.LoopbackPorts;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * A real one-node metadata group (Ratis + RocksDB, its leader runs the session expirer) in this JVM,
 * with a formatted volume. Every client handed out is closed with the group, clients first.
 */
public final class OneNodeMetaGroup implements AutoCloseable {
    private static final long FORMAT_WAIT_SECONDS = 30;

    private final MetaGroup group;
    private final AutoCloseable server;
    private final Deque<AutoCloseable> clients = new ArrayDeque<>();

    private OneNodeMetaGroup(MetaGroup group, AutoCloseable server) {
        this.group = group;
        this.server = server;
    }

    /** Starts the node under {@code dir} and formats {@code volume} with the given block size (0 = default). */
    public static OneNodeMetaGroup start(Path dir, String volume, String storeUri, int blockSizeBytes) throws Exception {
        MetaGroup group = MetaGroup.parse("test-" + System.nanoTime(), "n1=127.0.0.1:" + LoopbackPorts.freePortPair());
        OneNodeMetaGroup g = new OneNodeMetaGroup(group, MetaServer.start(new MetaServerConfig("n1", group, dir)));
        try (RaftMetadataClient admin = RaftMetadataClient.connect(group)) {
            MetaRequest format = MetaOps.format(new RequestIds().next(), volume, storeUri, 0);
            format = format.toBuilder().setFormat(format.getFormat().toBuilder().setBlockSizeBytes(blockSizeBytes)).build();
            MetaReply reply = admin.mutate(format).get(FORMAT_WAIT_SECONDS, TimeUnit.SECONDS);
            if (reply.getErrno() != 0) {
                throw new IOException("format failed: errno " + reply.getErrno());
            }
        } catch (Exception e) {
            g.close();
            throw e;
        }
        return g;
    }

    public MetaGroup group() {
        return group;
    }

    /** A new client of the group, closed with it. */
    public synchronized RaftMetadataClient client() {
        RaftMetadataClient c = RaftMetadataClient.connect(group);
        clients.push(c);
        return c;
    }

    @Override
    public synchronized void close() throws Exception {
        Exception failure = null;
        while (!clients.isEmpty()) {
            try {
                clients.pop().close();
            } catch (Exception e) {
                failure = e;
            }
        }
        server.close();
        if (failure != null) {
            throw failure;
        }
    }
}
