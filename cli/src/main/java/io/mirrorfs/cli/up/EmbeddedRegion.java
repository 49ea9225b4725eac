package io.mirrorfs.cli.up;

import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.proto.Caller;
import io.mirrorfs.api.proto.FormatOp;
import io.mirrorfs.api.proto.MetaQuery;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.MetaRequest;
import io.mirrorfs.api.proto.RequestId;
import io.mirrorfs.api.proto.VolumeQuery;
import io.mirrorfs.client.fuse.FuseMount;
import io.mirrorfs.client.fuse.MountedVolume;
import io.mirrorfs.client.vfs.VfsConfig;
import io.mirrorfs.meta.server.MetaServer;
import io.mirrorfs.meta.server.MetaServerConfig;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStores;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One region running in this process (DESIGN §7): a one-node Ratis metadata group, a local-directory
 * object store and a FUSE mount, all under one data folder. The Raft port is chosen once and
 * recorded in {@code DATA/region.properties}, so a second start finds the same group and data.
 */
public final class EmbeddedRegion implements AutoCloseable {
    public static final String VOLUME = "mirrorfs";
    private static final int BLOCK_SIZE_BYTES = 4 << 20;

    private final MetaServer server;
    private final RaftMetadataClient client;
    private final ObjectStore store;
    private final MountedVolume mounted;

    private EmbeddedRegion(MetaServer server, RaftMetadataClient client, ObjectStore store, MountedVolume mounted) {
        this.server = server;
        this.client = client;
        this.store = store;
        this.mounted = mounted;
    }

    public static EmbeddedRegion start(String region, Path dataDir, Path mountPoint, VfsConfig config, long cacheBytes)
            throws IOException {
        Path dir = dataDir.toAbsolutePath().resolve(region);
        Files.createDirectories(dir);
        int port = recordedPort(dir);
        MetaGroup group = new MetaGroup(MetaGroup.DEFAULT_NAME + "-" + region, List.of(new MetaPeer("n1", "127.0.0.1", port)));
        MetaServer server = MetaServer.start(new MetaServerConfig("n1", group, dir.resolve("meta")));
        RaftMetadataClient client = null;
        ObjectStore store = null;
        try {
            client = RaftMetadataClient.connect(group);
            String storeUri = formatIfNew(client, dir.resolve("blocks"), config);
            store = ObjectStores.open(storeUri);
            MountedVolume mounted = MountedVolume.mount(client, store, dir.resolve("cache"), cacheBytes, config,
                    mountPoint, FuseMount.Options.defaults(VOLUME));
            return new EmbeddedRegion(server, client, store, mounted);
        } catch (IOException | RuntimeException e) {
            closeQuietly(store, e);
            if (client != null) {
                client.close();
            }
            closeQuietly(server, e);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception primary) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    /** The region's Raft port: chosen free on first start, then always the same. */
    private static int recordedPort(Path dir) throws IOException {
        Path file = dir.resolve("region.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            return Integer.parseInt(p.getProperty("raft.port"));
        }
        int port = freePortPair();
        p.setProperty("raft.port", Integer.toString(port));
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "mirrorfs embedded region: the metadata node's Raft port (admin = port + 1)");
        }
        return port;
    }

    /** A free port whose successor (the admin port) is free too. */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                int port = s.getLocalPort();
                if (port < 65534) {
                    try (ServerSocket next = new ServerSocket(port + 1)) {
                        return port;
                    } catch (IOException taken) {
                        // try another
                    }
                }
            }
        }
        throw new IOException("no free pair of adjacent local ports found in 50 attempts");
    }

    /** Formats the volume on first start (store under DIR/blocks); returns the store URI it names. */
    private static String formatIfNew(RaftMetadataClient client, Path blocks, VfsConfig config) throws IOException {
        MetaReply info = await(client.query(MetaQuery.newBuilder().setCaller(Caller.getDefaultInstance())
                .setVolume(VolumeQuery.getDefaultInstance()).build()), config);
        if (info.getErrno() == 0 && info.hasVolume() && !info.getVolume().getVolume().isEmpty()) {
            return info.getVolume().getStoreUri();
        }
        Files.createDirectories(blocks);
        String uri = blocks.toUri().toString();
        MetaReply formatted = await(client.mutate(MetaRequest.newBuilder()
                .setRequestId(RequestId.newBuilder().setClientId(new SecureRandom().nextLong() & Long.MAX_VALUE).setSeq(1))
                .setCaller(Caller.getDefaultInstance())
                .setFormat(FormatOp.newBuilder().setVolume(VOLUME).setStoreUri(uri).setBlockSizeBytes(BLOCK_SIZE_BYTES))
                .build()), config);
        if (formatted.getErrno() != 0) {
            throw new IOException("formatting the volume failed: errno " + formatted.getErrno());
        }
        return uri;
    }

    private static MetaReply await(java.util.concurrent.CompletableFuture<MetaReply> f, VfsConfig config) throws IOException {
        try {
            return f.get(config.metaTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IOException("metadata group did not answer: " + e, e);
        }
    }

    public Path mountPoint() {
        return mounted.mountPoint();
    }

    /** Unmounts, then stops the client, the store and the metadata node, in that order. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (AutoCloseable c : new AutoCloseable[] {mounted, client, store, server}) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
